/**
 * Where each step of a run's DAG goes, as a pure function of the graph:
 * layers from `needs` (the server's own `layers`), each layer wrapped into
 * rows of a fixed number of columns, and every box's pixel position. The
 * CSS grid gets the same numbers (DagView sets them as custom properties),
 * so edges can be drawn from this layout without measuring the DOM: a
 * repaint never triggers layout work in script, even at 1,000 steps.
 */
import { layers } from "../../convex/model/workflowDag";

export interface GraphLinks {
  readonly id: string;
  readonly needs: readonly string[];
}

/** Sizes in CSS pixels; run.css reads them from custom properties. */
export interface DagGeometry {
  readonly nodeWidth: number;
  readonly nodeHeight: number;
  readonly gapX: number;
  readonly gapY: number;
  /** The "Layer n" heading above each layer's rows. */
  readonly headingHeight: number;
  /** Space between one layer's last row and the next heading. */
  readonly layerGap: number;
  /** Most boxes side by side; a wider layer wraps into more rows. */
  readonly columns: number;
}

export const DAG_GEOMETRY: DagGeometry = {
  nodeWidth: 220,
  nodeHeight: 116,
  gapX: 12,
  gapY: 12,
  headingHeight: 24,
  layerGap: 20,
  columns: 6,
};

/**
 * Edges are drawn only up to this many steps. Beyond it a picture of
 * thousands of crossing lines says nothing, and each box lists its `needs`.
 */
export const EDGE_LIMIT = 200;

export interface PlacedStep {
  readonly id: string;
  readonly layer: number;
  /** Row and column inside the layer's grid, from 0. */
  readonly row: number;
  readonly column: number;
  /** Top-left corner of the box, relative to the whole DAG. */
  readonly x: number;
  readonly y: number;
}

export interface LayerBlock {
  readonly index: number;
  readonly steps: readonly PlacedStep[];
  readonly rows: number;
  /** Where the heading starts and how tall heading plus rows are. */
  readonly top: number;
  readonly height: number;
}

export interface DagEdge {
  readonly from: string;
  readonly to: string;
  /** An SVG path from the bottom of `from` to the top of `to`. */
  readonly path: string;
}

export interface DagLayout {
  readonly layers: readonly LayerBlock[];
  readonly columns: number;
  readonly width: number;
  readonly height: number;
  /** Null when the graph is too big to draw edges (see EDGE_LIMIT). */
  readonly edges: readonly DagEdge[] | null;
}

/**
 * The graph's layers. A saved definition has no cycle (workflows.save
 * refuses one); should one arrive anyway the steps are shown in written
 * order as a single layer instead of failing the whole panel.
 */
export function stepLayers(graph: readonly GraphLinks[]): string[][] {
  if (graph.length === 0) return [];
  // Saved definitions list each need once; `layers` counts on that.
  const steps = graph.map((step) => ({
    id: step.id,
    needs: [...new Set(step.needs)],
  }));
  try {
    return layers({ steps });
  } catch {
    return [graph.map((step) => step.id)];
  }
}

export function layoutDag(
  graph: readonly GraphLinks[],
  geometry: DagGeometry = DAG_GEOMETRY,
): DagLayout {
  const grouped = stepLayers(graph);
  const widest = Math.max(0, ...grouped.map((layer) => layer.length));
  const columns = Math.max(1, Math.min(geometry.columns, widest));
  const pitchX = geometry.nodeWidth + geometry.gapX;
  const pitchY = geometry.nodeHeight + geometry.gapY;
  const blocks: LayerBlock[] = [];
  let top = 0;
  grouped.forEach((ids, index) => {
    const rows = Math.ceil(ids.length / columns);
    const steps = ids.map((id, i) => {
      const row = Math.floor(i / columns);
      const column = i % columns;
      return {
        id,
        layer: index,
        row,
        column,
        x: column * pitchX,
        y: top + geometry.headingHeight + row * pitchY,
      };
    });
    const height = geometry.headingHeight + rows * pitchY - geometry.gapY;
    blocks.push({ index, steps, rows, top, height });
    top += height + geometry.layerGap;
  });
  const width = columns * pitchX - geometry.gapX;
  const height = Math.max(0, top - geometry.layerGap);
  return {
    layers: blocks,
    columns,
    width,
    height,
    edges: graph.length <= EDGE_LIMIT ? edgesOf(graph, blocks, geometry) : null,
  };
}

function edgesOf(
  graph: readonly GraphLinks[],
  blocks: readonly LayerBlock[],
  geometry: DagGeometry,
): DagEdge[] {
  const placed = new Map<string, PlacedStep>();
  for (const block of blocks) {
    for (const step of block.steps) placed.set(step.id, step);
  }
  const half = geometry.nodeWidth / 2;
  const edges: DagEdge[] = [];
  for (const step of graph) {
    const to = placed.get(step.id);
    if (to === undefined) continue;
    for (const need of new Set(step.needs)) {
      const from = placed.get(need);
      if (from === undefined || from === to) continue;
      const x1 = from.x + half;
      const y1 = from.y + geometry.nodeHeight;
      const x2 = to.x + half;
      const y2 = to.y;
      // A vertical S-curve: leaves downwards, arrives from above.
      const bend = Math.max(16, (y2 - y1) / 2);
      edges.push({
        from: need,
        to: step.id,
        path: `M${x1},${y1} C${x1},${y1 + bend} ${x2},${y2 - bend} ${x2},${y2}`,
      });
    }
  }
  return edges;
}
