/**
 * One workflow run, live: the header, the DAG with every step's state, the
 * selected step's details and the event log. Rerun and Cancel call the
 * backend directly; a refusal (another person cancelled first) shows inline.
 */
import { useCallback, useMemo, useState } from "react";
import { useMutation, useQuery } from "convex/react";
import { api } from "../../convex/_generated/api";
import { Notice } from "../components/Notice";
import { Loading } from "../components/ProgressRing";
import { errorText } from "../shared/errors";
import { asId } from "../shared/ids";
import { useNow } from "../shared/useNow";
import { DagView } from "./DagView";
import { EventLog } from "./EventLog";
import { RunHeader } from "./RunHeader";
import { layoutDag } from "./runLayout";
import { stateSummary } from "./runModel";
import { StepDetail } from "./StepDetail";

export function RunPanel({ runId }: { readonly runId: string }) {
  const id = asId<"workflowRuns">(runId);
  const data = useQuery(api.workflowRuns.get, { runId: id });
  const cancel = useMutation(api.workflowRuns.cancel);
  const rerun = useMutation(api.workflowRuns.rerunStep);
  // Seconds matter while it runs (durations, retry countdowns).
  const now = useNow(data?.run.status === "running" ? 1_000 : 30_000);
  const [selected, setSelected] = useState<string | null>(null);
  const [rerunning, setRerunning] = useState<string | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // The graph belongs to the run's workflow version: lay it out once, not
  // on every live update of the steps.
  const graph = data?.graph;
  const workflowId = data?.run.workflowId;
  const layout = useMemo(
    () => layoutDag(graph ?? []),
    [workflowId, graph?.length],
  );
  const steps = useMemo(
    () => new Map((graph ?? []).map((step) => [step.id, step])),
    [workflowId, graph?.length],
  );
  const rows = useMemo(
    () => new Map((data?.steps ?? []).map((row) => [row.stepId, row])),
    [data?.steps],
  );

  const onSelect = useCallback(
    (stepId: string) =>
      setSelected((current) => (current === stepId ? null : stepId)),
    [],
  );
  const onRerun = useCallback(
    (stepId: string) => {
      setRerunning(stepId);
      setError(null);
      rerun({ runId: id, stepId })
        .catch((failure: unknown) => setError(errorText(failure)))
        .finally(() => setRerunning(null));
    },
    [rerun, id],
  );

  if (data === undefined) return <Loading label="Loading the run…" />;
  const { run, events } = data;
  const onCancel = (): void => {
    setCancelling(true);
    setError(null);
    cancel({ runId: id })
      .catch((failure: unknown) => setError(errorText(failure)))
      .finally(() => setCancelling(false));
  };
  const selectedStep = selected === null ? undefined : steps.get(selected);

  return (
    <article className="run" data-testid="run-panel" data-run-id={run._id}>
      <RunHeader
        run={run}
        steps={stateSummary(
          data.steps.map((row) => row.state),
          data.graph.length,
        )}
        now={now}
        cancelling={cancelling}
        onCancel={onCancel}
      />
      {error === null ? null : (
        <Notice testId="run-error" onDismiss={() => setError(null)}>
          {error}
        </Notice>
      )}
      {selectedStep === undefined ? null : (
        <StepDetail
          step={selectedStep}
          row={rows.get(selectedStep.id)}
          now={now}
          onClose={() => setSelected(null)}
        />
      )}
      <section className="sb-section run__graph" aria-label="Steps">
        <DagView
          layout={layout}
          steps={steps}
          rows={rows}
          runStatus={run.status}
          now={now}
          selected={selected}
          rerunning={rerunning}
          onSelect={onSelect}
          onRerun={onRerun}
        />
      </section>
      <EventLog events={events} />
    </article>
  );
}
