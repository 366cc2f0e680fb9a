/**
 * The run's DAG as layers of boxes: each layer a CSS grid of fixed-size
 * cells (sizes from runLayout's geometry, passed as custom properties), so
 * the browser lays it out once and SVG edges line up with the computed
 * positions. Small graphs get edges, large ones list `needs` in each box.
 * Off-screen layers skip rendering (content-visibility) at their known size.
 */
import type { CSSProperties } from "react";
import type { WorkflowRunStatus } from "../../convex/tables/workflows";
import { DagNode, type DagStep } from "./DagNode";
import { canRerun, waitText, type StepRowLike } from "./runModel";
import { DAG_GEOMETRY, type DagLayout } from "./runLayout";

export interface DagViewProps {
  readonly layout: DagLayout;
  readonly steps: ReadonlyMap<string, DagStep>;
  readonly rows: ReadonlyMap<string, StepRowLike>;
  readonly runStatus: WorkflowRunStatus;
  readonly now: number;
  readonly selected: string | null;
  /** The step whose rerun is being sent, if any. */
  readonly rerunning: string | null;
  readonly onSelect: (stepId: string) => void;
  readonly onRerun: (stepId: string) => void;
}

function geometryStyle(layout: DagLayout): CSSProperties {
  const g = DAG_GEOMETRY;
  // Custom properties are not in React's CSSProperties type.
  return {
    "--dag-columns": String(layout.columns),
    "--dag-node-w": `${g.nodeWidth}px`,
    "--dag-node-h": `${g.nodeHeight}px`,
    "--dag-gap-x": `${g.gapX}px`,
    "--dag-gap-y": `${g.gapY}px`,
    "--dag-heading-h": `${g.headingHeight}px`,
    "--dag-layer-gap": `${g.layerGap}px`,
    width: `${layout.width}px`,
    height: `${layout.height}px`,
  } as CSSProperties;
}

export function DagView(props: DagViewProps) {
  const { layout, steps, rows, selected } = props;
  if (layout.layers.length === 0) {
    return (
      <p className="sb-muted">This run's workflow has no steps to show.</p>
    );
  }
  const showNeeds = layout.edges === null;
  return (
    <div className="dag" style={geometryStyle(layout)} data-testid="dag">
      {layout.edges === null ? null : (
        <svg
          className="dag__edges"
          width={layout.width}
          height={layout.height}
          aria-hidden="true"
          data-testid="dag-edges"
        >
          {layout.edges.map((edge) => (
            <path
              key={`${edge.from}>${edge.to}`}
              d={edge.path}
              className={
                selected === edge.from || selected === edge.to
                  ? "dag__edge dag__edge--active"
                  : "dag__edge"
              }
            />
          ))}
        </svg>
      )}
      {layout.layers.map((block) => (
        <section
          key={block.index}
          className="dag__layer"
          aria-label={`Layer ${block.index + 1}`}
          style={{
            height: `${block.height}px`,
            containIntrinsicSize: `auto ${block.height}px`,
          }}
        >
          <h3 className="dag__heading">
            Layer {block.index + 1} · {block.steps.length}{" "}
            {block.steps.length === 1 ? "step" : "steps"}
          </h3>
          <div className="dag__grid">
            {block.steps.map(({ id }) => {
              const step = steps.get(id);
              if (step === undefined) return null;
              const row = rows.get(id);
              return (
                <DagNode
                  key={id}
                  step={step}
                  row={row}
                  wait={
                    row === undefined ? undefined : waitText(row, props.now)
                  }
                  showNeeds={showNeeds}
                  rerunnable={canRerun(
                    props.runStatus,
                    row?.state ?? "pending",
                  )}
                  rerunning={props.rerunning === id}
                  selected={selected === id}
                  onSelect={props.onSelect}
                  onRerun={props.onRerun}
                />
              );
            })}
          </div>
        </section>
      ))}
    </div>
  );
}
