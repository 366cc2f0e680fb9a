/** Small builders for the documents the sidebar shows, with plain strings for ids. */
import type { BoardCard } from "../../../../convex/model/boardCards";
import type {
  Approval,
  GraphStep,
  StepRow,
  WorkflowRun,
} from "../../../../extension/views/nodes";

export const NOW = Date.UTC(2025, 4, 1, 12, 0, 0);
export const MIN = 60_000;

/** T with every branded Convex id loosened to a plain string, for readable fixtures. */
export type Loose<T> = T extends string & { __tableName: string }
  ? string
  : T extends object
    ? { [K in keyof T]: Loose<T[K]> }
    : T;

/** A fixture typed as the real document; the ids are test strings, not real ids. */
export function loose<T>(value: Loose<T>): T {
  return value as unknown as T;
}

export function card(
  overrides: Partial<Loose<BoardCard>> & { _id: string },
): BoardCard {
  return loose<BoardCard>({
    number: 1,
    title: "A task",
    status: "todo",
    priority: "medium",
    labels: [],
    openBlockers: 0,
    updatedAt: NOW - 5 * MIN,
    ...overrides,
  });
}

export function approval(
  overrides: Partial<Loose<Approval>> & { _id: string },
): Approval {
  return loose<Approval>({
    _creationTime: NOW,
    projectId: "p1",
    requesterId: "agent1",
    kind: "tool_use",
    summary: "Run npm test",
    details: "",
    policy: {
      approverRole: "member",
      expiresAt: NOW + 60 * MIN,
      onExpiry: "expire",
    },
    status: "pending",
    createdAt: NOW - 2 * MIN,
    ...overrides,
  });
}

export function workflowRun(
  overrides: Partial<Loose<WorkflowRun>> & { _id: string },
): WorkflowRun {
  return loose<WorkflowRun>({
    _creationTime: NOW,
    orgId: "o1",
    projectId: "p1",
    workflowId: "wf1",
    name: "release",
    version: 3,
    status: "running",
    inputs: "{}",
    startedBy: "u1",
    startedAt: NOW - 5 * MIN,
    ...overrides,
  });
}

export function graphStep(
  id: string,
  needs: string[] = [],
  overrides: Partial<GraphStep> = {},
): GraphStep {
  return {
    id,
    needs,
    executor: "external",
    agent: "claude-1",
    maxRetries: 2,
    ...overrides,
  };
}

export function stepRow(
  stepId: string,
  overrides: Partial<Loose<StepRow>> = {},
): StepRow {
  return loose<StepRow>({
    _id: `row-${stepId}`,
    _creationTime: NOW,
    runId: "run1",
    projectId: "p1",
    stepId,
    state: "pending",
    attempt: 0,
    ...overrides,
  });
}
