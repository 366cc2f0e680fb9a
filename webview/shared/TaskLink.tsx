/** A task's key and title as a link that opens its Task detail view. */
import { useQuery } from "convex/react";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { LinkButton } from "../components/Links";
import { taskKey } from "./format";
import { useViewEnv } from "./viewEnv";

export function TaskLink({ taskId }: { readonly taskId: Id<"tasks"> }) {
  const { context, openView } = useViewEnv();
  const task = useQuery(api.tasks.get, { taskId });
  return (
    <LinkButton
      onClick={() => openView("task", { taskId })}
      title="Open the task"
      testId="task-link"
    >
      {task === undefined
        ? "Task…"
        : `${taskKey(context.projectKey, task.number)} ${task.title}`}
    </LinkButton>
  );
}
