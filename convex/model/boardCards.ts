/** The slice of a task a board card shows: no description (up to 20 KB each). */
import { v, type Infer } from "convex/values";
import type { Doc } from "../_generated/dataModel";
import { vLease, vPrincipalId, vPriority, vTaskStatus } from "../validators";

export const vBoardCard = v.object({
  _id: v.id("tasks"),
  number: v.number(),
  title: v.string(),
  status: vTaskStatus,
  priority: vPriority,
  labels: v.array(v.string()),
  assigneeId: v.optional(vPrincipalId),
  openBlockers: v.number(),
  lease: v.optional(vLease),
  branch: v.optional(v.string()),
  updatedAt: v.number(),
});
export type BoardCard = Infer<typeof vBoardCard>;

export function toBoardCard(task: Doc<"tasks">): BoardCard {
  return {
    _id: task._id,
    number: task.number,
    title: task.title,
    status: task.status,
    priority: task.priority,
    labels: task.labels,
    assigneeId: task.assigneeId,
    openBlockers: task.openBlockers,
    lease: task.lease,
    branch: task.branch,
    updatedAt: task.updatedAt,
  };
}
