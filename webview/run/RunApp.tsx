/** The run panel: which run (the view's target), or a hint when none is chosen. */
import { ErrorBoundary } from "../shared/ErrorBoundary";
import { useViewEnv } from "../shared/viewEnv";
import { RunPanel } from "./RunPanel";

export function RunApp() {
  const { target } = useViewEnv();
  if (target.runId === undefined) {
    return (
      <div className="sb-empty" data-testid="run-empty">
        <h2>No run selected</h2>
        <p>
          Open a run from the Runs view, or start one with{" "}
          <strong>Switchboard: Start Workflow Run</strong>.
        </p>
      </div>
    );
  }
  return (
    <ErrorBoundary what="the run" resetKey={target.runId}>
      <RunPanel key={target.runId} runId={target.runId} />
    </ErrorBoundary>
  );
}
