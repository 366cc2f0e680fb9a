/** Return-value validators built from the schema, so they never drift from it. */
import { paginationResultValidator } from "convex/server";
import type { Validator, Value } from "convex/values";
import schema from "./schema";

export const vTaskDoc = schema.doc("tasks");
export const vThreadDoc = schema.doc("threads");
export const vMessageDoc = schema.doc("messages");
export const vApprovalDoc = schema.doc("approvals");
export const vProjectDoc = schema.doc("projects");
export const vAgentDoc = schema.doc("agents");
export const vAuditEventDoc = schema.doc("auditEvents");
export const vUserDoc = schema.doc("users");
export const vSandboxDoc = schema.doc("sandboxes");

export function vPaginated<T extends Validator<Value, "required", string>>(
  item: T,
) {
  return paginationResultValidator(item);
}
