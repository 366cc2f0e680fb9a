/**
 * Moving a task from its detail view: pick one of the legal next statuses,
 * then Move. A separate button, because a native select fires "change" on
 * every arrow key and browsing the options must not move the task.
 */
import { useState } from "react";
import { useMutation } from "convex/react";
import { api } from "../../convex/_generated/api";
import type { Doc } from "../../convex/_generated/dataModel";
import type { TaskStatus } from "../../convex/validators";
import { Button } from "../components/Button";
import { Notice } from "../components/Notice";
import { Select } from "../components/Select";
import { errorText } from "../shared/errors";
import { decideMove, moveFailure } from "../shared/moveRules";
import { statusOptions } from "./taskModel";

export function StatusMover({
  task,
  taskKey,
}: {
  readonly task: Pick<Doc<"tasks">, "_id" | "status" | "openBlockers">;
  readonly taskKey: string;
}) {
  const moveTask = useMutation(api.tasks.move);
  const [choice, setChoice] = useState<TaskStatus>(task.status);
  const [moving, setMoving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // When the status changes (here or elsewhere), the choice starts over from it.
  const [seen, setSeen] = useState(task.status);
  if (seen !== task.status) {
    setSeen(task.status);
    setChoice(task.status);
  }

  const move = (): void => {
    const decision = decideMove(task, taskKey, choice);
    if (decision.kind === "noop") return;
    if (decision.kind === "illegal") {
      setError(decision.message);
      return;
    }
    setError(null);
    setMoving(true);
    moveTask({ taskId: task._id, status: choice })
      .catch((failure: unknown) =>
        setError(moveFailure(taskKey, task.status, choice, errorText(failure))),
      )
      .finally(() => setMoving(false));
  };

  return (
    <div className="task__actions">
      <div className="sb-row task__mover">
        <Select
          label="Status"
          value={choice}
          options={statusOptions(task.status)}
          onChange={(value) => setChoice(value as TaskStatus)}
          disabled={moving}
          testId="task-status"
        />
        <Button
          onClick={move}
          disabled={moving || choice === task.status}
          testId="task-move"
        >
          {moving ? "Moving…" : "Move"}
        </Button>
      </div>
      {error === null ? null : (
        <Notice testId="task-error" onDismiss={() => setError(null)}>
          {error}
        </Notice>
      )}
    </div>
  );
}
