/**
 * The audit log as readable text: one line per event with local time, actor
 * name, action, entity and what changed. Pure, so its layout is unit-tested.
 */
import type { Doc } from "../../convex/_generated/dataModel";
import { truncate } from "../views/format";

export type AuditEvent = Doc<"auditEvents">;
type SummaryValue = string | number | boolean | null;

const pad2 = (n: number) => String(n).padStart(2, "0");

/** "2025-05-01 14:03:09" in the machine's time zone: people read logs in local time. */
export function localTimestamp(at: number): string {
  const d = new Date(at);
  return (
    `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ` +
    `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`
  );
}

function actorName(actor: string, names: ReadonlyMap<string, string>): string {
  if (actor === "system") return "system";
  return names.get(actor) ?? `…${actor.slice(-6)}`;
}

/** Ids become names where known, epoch fields become times, text is quoted. */
function showValue(
  key: string,
  value: SummaryValue | undefined,
  names: ReadonlyMap<string, string>,
): string {
  if (value === null || value === undefined || value === "") return "–";
  if (typeof value === "number" && key.endsWith("At")) {
    return localTimestamp(value).slice(11, 16);
  }
  if (typeof value === "string") {
    const name = names.get(value);
    if (name !== undefined) return name;
    return key === "title" ? JSON.stringify(truncate(value, 40)) : value;
  }
  return String(value);
}

/** "status: todo → in_progress, assigneeId: – → Ada"; for a creation, the new values. */
export function describeChanges(
  event: Pick<AuditEvent, "before" | "after">,
  names: ReadonlyMap<string, string>,
): string {
  const after = event.after ?? {};
  const before = event.before;
  const parts = Object.keys(after).map((key) =>
    before !== undefined && key in before
      ? `${key}: ${showValue(key, before[key], names)} → ${showValue(key, after[key], names)}`
      : `${key}: ${showValue(key, after[key], names)}`,
  );
  return truncate(parts.join(", "), 160);
}

/** The entity by name when known ("task SB-4 Fix login"), else by its title in the event, else a short id. */
function entityText(
  event: AuditEvent,
  names: ReadonlyMap<string, string>,
): string {
  const known = names.get(event.entityId);
  if (known !== undefined) return `${event.entity} ${known}`;
  const title = event.after?.title ?? event.before?.title;
  const id = `…${event.entityId.slice(-6)}`;
  return typeof title === "string"
    ? `${event.entity} ${JSON.stringify(truncate(title, 40))} (${id})`
    : `${event.entity} ${id}`;
}

/** `names`: principals (users, agents) and entities (tasks as "SB-4 Title") by id. */
export function formatAuditLine(
  event: AuditEvent,
  names: ReadonlyMap<string, string>,
): string {
  const changes = describeChanges(event, names);
  return [
    localTimestamp(event.at),
    actorName(event.actor, names).padEnd(16),
    event.action.padEnd(22),
    entityText(event, names),
  ]
    .join("  ")
    .concat(changes === "" ? "" : `  ${changes}`);
}

export function formatAuditLog(
  events: readonly AuditEvent[],
  names: ReadonlyMap<string, string>,
  header: { orgName: string; loadedAt: number; hasMore: boolean },
): string {
  const lines = [
    `# Switchboard audit log: ${header.orgName}, newest first`,
    `# loaded ${localTimestamp(header.loadedAt)}; run "Switchboard: Show Audit Log" again to refresh`,
    "",
    ...(events.length === 0
      ? ["(no events yet)"]
      : events.map((event) => formatAuditLine(event, names))),
  ];
  if (header.hasMore) {
    lines.push("", `# showing the latest ${events.length} events`);
  }
  return `${lines.join("\n")}\n`;
}
