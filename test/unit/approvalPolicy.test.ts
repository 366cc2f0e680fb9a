/** The glob rules approval_prompt answers with (convex/model/approvalPolicy.ts), as pure functions. */
import { describe, expect, test } from "vitest";
import {
  decide,
  globToRegExp,
  inputSubject,
  ruleMatches,
} from "../../convex/model/approvalPolicy";

describe("globs", () => {
  test.each([
    ["Bash", "Bash", true],
    ["Bash", "BashX", false],
    ["mcp__*", "mcp__github__create_issue", true],
    ["npm test*", "npm test -- --run", true],
    ["npm test*", "npm install", false],
    ["src/*.ts", "src/deep/a.ts", true],
    ["?.txt", "a.txt", true],
    ["?.txt", "ab.txt", false],
    ["a.b(c)[d]+$^", "a.b(c)[d]+$^", true],
    ["a.b", "axb", false],
    ["rm *", "rm -rf /\nrm -rf ~", true],
  ])("%s matches %j: %s", (glob, text, expected) => {
    expect(globToRegExp(glob).test(text)).toBe(expected);
  });
});

describe("what a rule sees of the input", () => {
  test("the command, a path, a URL... else the JSON", () => {
    expect(inputSubject({ command: "ls", description: "list" })).toBe("ls");
    expect(inputSubject({ file_path: "/etc/passwd" })).toBe("/etc/passwd");
    expect(inputSubject({ url: "https://x.dev" })).toBe("https://x.dev");
    expect(inputSubject({ a: 1 })).toBe('{"a":1}');
    expect(inputSubject("plain")).toBe("plain");
    expect(inputSubject(null)).toBe("null");
  });

  test("tool and input patterns must both match; deny wins over allow", () => {
    const allowAll = { toolPattern: "Bash", effect: "allow" as const };
    const denyRm = {
      toolPattern: "Bash",
      inputPattern: "rm *",
      effect: "deny" as const,
    };
    expect(ruleMatches(denyRm, "Bash", "rm -rf x")).toBe(true);
    expect(ruleMatches(denyRm, "Read", "rm -rf x")).toBe(false);
    expect(decide([allowAll, denyRm], "Bash", { command: "rm -rf x" })).toBe(
      denyRm,
    );
    expect(decide([allowAll, denyRm], "Bash", { command: "ls" })).toBe(
      allowAll,
    );
    expect(decide([denyRm], "Bash", { command: "ls" })).toBeNull();
  });
});
