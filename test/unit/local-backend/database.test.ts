/** The in-memory tables: every index stays in step with the documents. */
import { describe, expect, test } from "vitest";
import { Table, type Doc } from "../../../local-backend/engine/database";

function table(): Table {
  return new Table("tasks", 1, [
    { name: "by_status", fields: ["status", "_creationTime", "_id"] },
    { name: "by_owner", fields: ["owner", "_creationTime", "_id"] },
  ]);
}

/** What an index holds, in its order: the ids. */
function idsIn(t: Table, index: string): string[] {
  const tree = t.indexes.get(index)?.tree;
  if (tree === undefined) throw new Error(`no index ${index}`);
  return [...tree.values()];
}

function keysIn(t: Table, index: string): unknown[] {
  const tree = t.indexes.get(index)?.tree;
  if (tree === undefined) throw new Error(`no index ${index}`);
  return [...tree.keys()];
}

const doc = (id: string, at: number, status: string, owner?: string): Doc => ({
  _id: id,
  _creationTime: at,
  status,
  ...(owner === undefined ? {} : { owner }),
});

describe("Table.put", () => {
  test("a replaced document moves in the indexes whose key changed and stays in the others", () => {
    const t = table();
    t.put(doc("a", 1, "todo", "ann"));
    t.put(doc("b", 2, "todo", "bob"));
    t.put(doc("a", 1, "done", "ann"));
    expect(idsIn(t, "by_status")).toEqual(["a", "b"]);
    expect(keysIn(t, "by_status")).toEqual([
      ["done", 1, "a"],
      ["todo", 2, "b"],
    ]);
    expect(keysIn(t, "by_owner")).toEqual([
      ["ann", 1, "a"],
      ["bob", 2, "b"],
    ]);
    // Back again, and a field removed (undefined sorts first).
    t.put(doc("a", 1, "todo"));
    expect(keysIn(t, "by_status")).toEqual([
      ["todo", 1, "a"],
      ["todo", 2, "b"],
    ]);
    expect(keysIn(t, "by_owner")).toEqual([
      [undefined, 1, "a"],
      ["bob", 2, "b"],
    ]);
    for (const index of t.indexes.keys()) {
      expect(t.indexes.get(index)?.tree.size).toBe(2);
    }
  });

  test("remove takes a document out of every index", () => {
    const t = table();
    t.put(doc("a", 1, "todo", "ann"));
    t.put(doc("b", 2, "done", "bob"));
    t.put(doc("a", 1, "in_progress", "ann"));
    t.remove("a");
    for (const index of t.indexes.keys()) {
      expect(idsIn(t, index)).toEqual(["b"]);
    }
    expect([...t.docs.keys()]).toEqual(["b"]);
  });
});
