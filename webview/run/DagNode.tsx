/**
 * One step's box in the DAG: id, who runs it, live state, attempt, why it
 * waits or failed, spend, and Rerun on a failed step. Memoized on the
 * values it shows: a live update re-renders only the boxes that changed,
 * which keeps a 1,000-step run cheap to keep current.
 */
import { memo } from "react";
import { usageText } from "../../convex/model/budgetLevels";
import type { StepState } from "../../convex/model/workflowDag";
import { PlainButton } from "../components/PlainButton";
import { attemptText, STEP_LOOKS, type StepRowLike } from "./runModel";

export interface DagStep {
  readonly id: string;
  readonly needs: readonly string[];
  readonly executor: string;
  readonly agent?: string;
  readonly condition?: string;
  readonly maxRetries: number;
}

export interface DagNodeProps {
  readonly step: DagStep;
  /** The live row; undefined until the run's rows arrive (shown as pending). */
  readonly row: StepRowLike | undefined;
  /** The gate or retry countdown of a waiting step (runModel.waitText). */
  readonly wait: string | undefined;
  /** Large graphs draw no edges: each box says what it needs instead. */
  readonly showNeeds: boolean;
  readonly rerunnable: boolean;
  readonly rerunning: boolean;
  readonly selected: boolean;
  readonly onSelect: (stepId: string) => void;
  readonly onRerun: (stepId: string) => void;
}

function DagNodeView(props: DagNodeProps) {
  const { step, row, wait } = props;
  const state: StepState = row?.state ?? "pending";
  const look = STEP_LOOKS[state];
  const usage = usageText(row?.usedTokens, row?.usedCostUsd);
  const why = state === "failed" ? row?.error : wait;
  const who =
    step.agent === undefined
      ? step.executor
      : `${step.executor} · ${step.agent}`;
  return (
    <article
      className={`dag-node dag-node--${state}${props.selected ? " dag-node--selected" : ""}`}
      data-testid="dag-node"
      data-step-id={step.id}
      data-state={state}
    >
      <button
        type="button"
        className="dag-node__select"
        aria-pressed={props.selected}
        title={`Show ${step.id}'s details`}
        onClick={() => props.onSelect(step.id)}
      >
        <span className="dag-node__glyph" aria-hidden="true">
          {look.glyph}
        </span>
        <span className="dag-node__id">{step.id}</span>
      </button>
      <div className="dag-node__line dag-node__who">{who}</div>
      <div className="dag-node__line">
        <span className="dag-node__state">{look.label}</span>
        {` · ${attemptText(row?.attempt ?? 0, step.maxRetries)}`}
      </div>
      {why === undefined ? null : (
        <div className="dag-node__line dag-node__why" title={why}>
          {why}
        </div>
      )}
      {props.showNeeds && step.needs.length > 0 ? (
        <div
          className="dag-node__line dag-node__needs"
          title={step.needs.join(", ")}
        >
          needs {step.needs.join(", ")}
        </div>
      ) : null}
      <div className="dag-node__foot">
        <span className="dag-node__usage">{usage}</span>
        {props.rerunnable ? (
          <PlainButton
            appearance="secondary"
            className="dag-node__rerun"
            disabled={props.rerunning}
            onClick={() => props.onRerun(step.id)}
            testId="dag-rerun"
            title={`Rerun ${step.id} and the steps its failure skipped`}
          >
            {props.rerunning ? "Rerunning…" : "Rerun"}
          </PlainButton>
        ) : null}
      </div>
    </article>
  );
}

/** Rows arrive as new objects on every update: compare what is shown. */
function sameRow(a: StepRowLike | undefined, b: StepRowLike | undefined) {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return (
    a.state === b.state &&
    a.attempt === b.attempt &&
    a.error === b.error &&
    a.usedTokens === b.usedTokens &&
    a.usedCostUsd === b.usedCostUsd
  );
}

export function sameNodeProps(a: DagNodeProps, b: DagNodeProps): boolean {
  return (
    a.step.id === b.step.id &&
    a.step.needs.length === b.step.needs.length &&
    sameRow(a.row, b.row) &&
    a.wait === b.wait &&
    a.showNeeds === b.showNeeds &&
    a.rerunnable === b.rerunnable &&
    a.rerunning === b.rerunning &&
    a.selected === b.selected &&
    a.onSelect === b.onSelect &&
    a.onRerun === b.onRerun
  );
}

export const DagNode = memo(DagNodeView, sameNodeProps);
