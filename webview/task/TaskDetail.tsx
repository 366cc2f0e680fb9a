/**
 * One task, live: header, status move, fields, description (plain text, never
 * HTML), its sandbox, then its dependencies, thread, approvals and history
 * sections.
 */
import { useQuery } from "convex/react";
import { api } from "../../convex/_generated/api";
import { ExternalLink } from "../components/Links";
import { Loading } from "../components/ProgressRing";
import { Tag } from "../components/Tag";
import { TextSection } from "../components/TextSection";
import {
  formatDateTime,
  formatRelative,
  plural,
  PRIORITY_LABELS,
  STATUS_LABELS,
  taskKey,
} from "../shared/format";
import { asId } from "../shared/ids";
import { usePeople } from "../shared/people";
import { useNow } from "../shared/useNow";
import { useViewEnv } from "../shared/viewEnv";
import { ApprovalsSection, HistorySection } from "./ActivitySections";
import { DependenciesSection, ThreadSection } from "./RelatedSections";
import { SandboxSection } from "./SandboxSection";
import { StatusMover } from "./StatusMover";
import { describeLease } from "./taskModel";

export function TaskDetail({ taskId }: { readonly taskId: string }) {
  const { context } = useViewEnv();
  const task = useQuery(api.tasks.get, { taskId: asId<"tasks">(taskId) });
  const people = usePeople(context.projectId);
  const now = useNow();

  if (task === undefined) return <Loading label="Loading task…" />;
  const key = taskKey(context.projectKey, task.number);

  return (
    <article className="task" data-testid="task-detail" data-task-id={task._id}>
      <header className="task__header">
        <div className="sb-row">
          <span className="task__key">{key}</span>
          <Tag
            tone={
              task.status === "done"
                ? "success"
                : task.status === "blocked"
                  ? "error"
                  : "info"
            }
          >
            {STATUS_LABELS[task.status]}
          </Tag>
          <Tag
            tone={
              task.priority === "urgent"
                ? "error"
                : task.priority === "high"
                  ? "warning"
                  : "default"
            }
          >
            {PRIORITY_LABELS[task.priority]} priority
          </Tag>
        </div>
        <h1 data-testid="task-title">{task.title}</h1>
        {task.labels.length === 0 ? null : (
          <div className="sb-row" aria-label="Labels">
            {task.labels.map((label) => (
              <Tag key={label}>{label}</Tag>
            ))}
          </div>
        )}
      </header>

      <StatusMover task={task} taskKey={key} />

      <dl className="task__fields">
        <dt>Assignee</dt>
        <dd>{people.name(task.assigneeId)}</dd>
        <dt>Claim</dt>
        <dd data-testid="task-lease">
          {describeLease(task.lease, people.name(task.lease?.holderId), now)}
        </dd>
        {task.openBlockers > 0 ? (
          <>
            <dt>Blocked</dt>
            <dd className="task__blocked">
              {plural(task.openBlockers, "dependency", "dependencies")} not done
              yet
            </dd>
          </>
        ) : null}
        <dt>Branch</dt>
        <dd className="sb-mono">{task.branch ?? "—"}</dd>
        <dt>Pull request</dt>
        <dd>
          {task.pullRequestUrl === undefined ? (
            "—"
          ) : (
            <ExternalLink href={task.pullRequestUrl} />
          )}
        </dd>
        <dt>Created</dt>
        <dd title={formatDateTime(task.createdAt)}>
          {formatRelative(task.createdAt, now)} by {people.name(task.createdBy)}
        </dd>
        <dt>Updated</dt>
        <dd title={formatDateTime(task.updatedAt)}>
          {formatRelative(task.updatedAt, now)}
        </dd>
      </dl>

      <TextSection
        id="task-description"
        title="Description"
        text={task.description}
        empty="No description."
        className="task__description"
        testId="task-description"
      />
      <SandboxSection taskId={task._id} taskStatus={task.status} />
      <DependenciesSection
        dependsOn={task.dependsOn}
        projectKey={context.projectKey}
      />
      <ThreadSection taskId={task._id} />
      <ApprovalsSection taskId={task._id} people={people} now={now} />
      <HistorySection taskId={task._id} people={people} now={now} />
    </article>
  );
}
