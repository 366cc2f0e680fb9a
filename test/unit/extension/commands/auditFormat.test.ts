import { describe, expect, test } from "vitest";
import {
  describeChanges,
  formatAuditLine,
  formatAuditLog,
  localTimestamp,
  type AuditEvent,
} from "../../../../extension/commands/auditFormat";
import { loose, NOW, type Loose } from "../views/fixtures";

const names = new Map([
  ["u1", "Ada"],
  ["a1", "claude-1"],
  ["task123456", "SB-4 Fix login"],
]);

function event(overrides: Partial<Loose<AuditEvent>>): AuditEvent {
  return loose<AuditEvent>({
    _id: "e1",
    _creationTime: NOW,
    orgId: "o1",
    actor: "a1",
    action: "task.move",
    entity: "task",
    entityId: "task123456",
    at: NOW,
    ...overrides,
  });
}

describe("audit lines", () => {
  test("time, actor name, action, entity by name, changes", () => {
    const line = formatAuditLine(
      event({
        before: { status: "todo", assigneeId: null },
        after: { status: "in_progress", assigneeId: "a1" },
      }),
      names,
    );
    expect(line).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}claude-1 +task\.move +task SB-4 Fix login {2}status: todo → in_progress, assigneeId: – → claude-1$/,
    );
    expect(line.startsWith(localTimestamp(NOW))).toBe(true);
  });

  test("unknown ids are shortened; system acts as system; creation lists new values", () => {
    const line = formatAuditLine(
      event({
        actor: "system",
        action: "thread.create",
        entity: "thread",
        entityId: "thread987654",
        after: { title: "Design review" },
      }),
      names,
    );
    expect(line).toContain("system ");
    expect(line).toContain('thread "Design review" (…987654)');
    expect(line).toContain('title: "Design review"');
    expect(formatAuditLine(event({ actor: "somebody999" }), names)).toContain(
      "…ody999",
    );
  });

  test("timestamps in summaries read as times of day", () => {
    const changes = describeChanges(
      { before: { leaseExpiresAt: null }, after: { leaseExpiresAt: NOW } },
      names,
    );
    expect(changes).toMatch(/^leaseExpiresAt: – → \d\d:\d\d$/);
  });

  test("the document has a header and says when it is cut", () => {
    const text = formatAuditLog([event({})], names, {
      orgName: "Acme",
      loadedAt: NOW,
      hasMore: true,
    });
    expect(text.split("\n")[0]).toBe(
      "# Switchboard audit log: Acme, newest first",
    );
    expect(text).toContain("# showing the latest 1 events");
    expect(
      formatAuditLog([], names, {
        orgName: "Acme",
        loadedAt: NOW,
        hasMore: false,
      }),
    ).toContain("(no events yet)");
  });
});
