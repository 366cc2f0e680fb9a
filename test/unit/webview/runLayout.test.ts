/** The run panel's DAG layout: layers, wrapping, positions, edges. */
import { describe, expect, test } from "vitest";
import {
  DAG_GEOMETRY,
  EDGE_LIMIT,
  layoutDag,
  stepLayers,
  type GraphLinks,
} from "../../../webview/run/runLayout";

const g = DAG_GEOMETRY;
const pitchX = g.nodeWidth + g.gapX;
const pitchY = g.nodeHeight + g.gapY;

const step = (id: string, ...needs: string[]): GraphLinks => ({ id, needs });

/** `layers` steps per layer, each needing the first step of the layer above. */
function wideGraph(layers: number, perLayer: number): GraphLinks[] {
  const graph: GraphLinks[] = [];
  for (let l = 0; l < layers; l += 1) {
    for (let i = 0; i < perLayer; i += 1) {
      graph.push(step(`s${l}-${i}`, ...(l === 0 ? [] : [`s${l - 1}-0`])));
    }
  }
  return graph;
}

describe("stepLayers", () => {
  test("layers from needs, ties in written order", () => {
    const diamond = [
      step("a"),
      step("c", "a"),
      step("b", "a"),
      step("d", "b", "c"),
    ];
    expect(stepLayers(diamond)).toEqual([["a"], ["c", "b"], ["d"]]);
  });

  test("a step sits below its deepest need; unknown needs are ignored", () => {
    expect(
      stepLayers([step("a"), step("b", "a"), step("c", "a", "b", "ghost")]),
    ).toEqual([["a"], ["b"], ["c"]]);
  });

  test("a cycle (never saved, but never fatal) shows as one layer", () => {
    expect(stepLayers([step("a", "b"), step("b", "a"), step("c")])).toEqual([
      ["a", "b", "c"],
    ]);
    expect(stepLayers([])).toEqual([]);
  });
});

describe("layoutDag", () => {
  test("positions follow the grid: heading, then rows of fixed boxes", () => {
    const layout = layoutDag([
      step("a"),
      step("b", "a"),
      step("c", "a"),
      step("d", "b", "c"),
    ]);
    expect(layout.columns).toBe(2);
    expect(layout.width).toBe(2 * pitchX - g.gapX);
    const at = (id: string) =>
      layout.layers
        .flatMap((block) => block.steps)
        .find((placed) => placed.id === id);
    expect(at("a")).toMatchObject({ x: 0, y: g.headingHeight, row: 0 });
    const layer1Top = g.headingHeight + g.nodeHeight + g.layerGap;
    expect(layout.layers[1]?.top).toBe(layer1Top);
    expect(at("c")).toMatchObject({
      x: pitchX,
      y: layer1Top + g.headingHeight,
      column: 1,
    });
    const blockHeight = g.headingHeight + g.nodeHeight;
    expect(layout.height).toBe(3 * blockHeight + 2 * g.layerGap);
  });

  test("a wide layer wraps into rows of the configured columns", () => {
    const graph = [step("root")];
    for (let i = 0; i < 13; i += 1) graph.push(step(`leaf${i}`, "root"));
    const layout = layoutDag(graph);
    expect(layout.columns).toBe(g.columns);
    const leaves = layout.layers[1]!;
    expect(leaves.rows).toBe(3);
    expect(leaves.height).toBe(g.headingHeight + 3 * pitchY - g.gapY);
    const last = leaves.steps.at(-1)!;
    expect(last).toMatchObject({ id: "leaf12", row: 2, column: 0 });
    expect(last.y).toBe(leaves.top + g.headingHeight + 2 * pitchY);
  });

  test("edges run from the bottom centre of a need to the top centre of its step", () => {
    const layout = layoutDag([step("a"), step("b", "a", "a")]);
    // A need written twice is one edge.
    expect(layout.edges).toHaveLength(1);
    const edge = layout.edges![0]!;
    expect(edge).toMatchObject({ from: "a", to: "b" });
    const x = g.nodeWidth / 2;
    const y1 = g.headingHeight + g.nodeHeight;
    const y2 = y1 + g.layerGap + g.headingHeight;
    expect(edge.path.startsWith(`M${x},${y1} `)).toBe(true);
    expect(edge.path.endsWith(` ${x},${y2}`)).toBe(true);
  });

  test(`edges up to ${EDGE_LIMIT} steps, none beyond`, () => {
    expect(layoutDag(wideGraph(4, EDGE_LIMIT / 4)).edges).not.toBeNull();
    expect(layoutDag(wideGraph(1, EDGE_LIMIT + 1)).edges).toBeNull();
  });

  test("1,000 steps in layers of 50: every step placed once, fast", () => {
    const graph = wideGraph(20, 50);
    const started = performance.now();
    const layout = layoutDag(graph);
    const elapsed = performance.now() - started;
    expect(layout.layers).toHaveLength(20);
    expect(layout.layers.every((block) => block.steps.length === 50)).toBe(
      true,
    );
    const placed = layout.layers.flatMap((block) => block.steps);
    expect(new Set(placed.map((p) => p.id)).size).toBe(1000);
    // Each layer is 9 rows of 6 (the last row holds 2).
    expect(layout.layers[0]?.rows).toBe(9);
    expect(layout.edges).toBeNull();
    // Generous for a slow CI core; the point is "no quadratic work".
    expect(elapsed).toBeLessThan(250);
  });
});
