/** Task detail: which task (the view's target), or a hint when none is chosen. */
import { ErrorBoundary } from "../shared/ErrorBoundary";
import { useViewEnv } from "../shared/viewEnv";
import { TaskDetail } from "./TaskDetail";

export function TaskApp() {
  const { target } = useViewEnv();
  if (target.taskId === undefined) {
    return (
      <div className="sb-empty" data-testid="task-detail-empty">
        <h2>No task selected</h2>
        <p>Open a task from the Task Board or the Tasks view to see it here.</p>
      </div>
    );
  }
  return (
    <ErrorBoundary what="the task" resetKey={target.taskId}>
      <TaskDetail key={target.taskId} taskId={target.taskId} />
    </ErrorBoundary>
  );
}
