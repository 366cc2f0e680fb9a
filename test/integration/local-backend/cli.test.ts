/**
 * The `switchboard-backend` command line as users run it: printing the owner
 * token, refusing a second backend on a data directory that is in use, and
 * running a Convex project other than Switchboard's own (`--functions`).
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeFunctionReference } from "convex/server";
import { afterAll, describe, expect, test } from "vitest";
import {
  Backend,
  disposeAll,
  healthOk,
  readStateFile,
  ROOT,
  runCli,
  waitFor,
} from "./backendProcess";
import { subscribe } from "../../support/subscribe";

const OTHER_APP = join(ROOT, "test", "fixtures", "other-convex-app", "convex");

type Note = {
  _id: string;
  _creationTime: number;
  author: string;
  body: string;
};
const notes = {
  add: makeFunctionReference<
    "mutation",
    { author: string; body: string },
    string
  >("notes:add"),
  list: makeFunctionReference<"query", { author?: string }, Note[]>(
    "notes:list",
  ),
};

const tempDirs: string[] = [];
afterAll(async () => {
  await disposeAll();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe("switchboard-backend token", () => {
  test("prints the owner's sign-in token, with or without a running backend", async () => {
    const backend = await Backend.start();
    const printed = await runCli(["token", "--data-dir", backend.dataDir]);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout.trim()).toMatch(/^sbu_\S+$/);
    expect(printed.stdout.trim()).toBe(backend.ownerToken());
    // It is the token that signs in.
    expect(await backend.signIn()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

    await backend.stop();
    const offline = await runCli(["token", "--data-dir", backend.dataDir]);
    expect(offline.code, offline.stderr).toBe(0);
    expect(offline.stdout.trim()).toBe(printed.stdout.trim());
  });

  test("fails with a hint on a data directory that never ran Switchboard", async () => {
    const empty = mkdtempSync(join(tmpdir(), "sb-integration-empty-"));
    tempDirs.push(empty);
    const result = await runCli(["token", "--data-dir", empty]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("No owner token");
  });
});

describe("one backend per data directory", () => {
  test("a second serve fails fast, naming the running pid, and the first keeps serving", async () => {
    const first = await Backend.start();
    const second = await runCli(
      ["serve", "--data-dir", first.dataDir, "--port", "0", "--site-port", "0"],
      20_000,
    );
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`pid ${first.pid}`);
    expect(second.stderr).toContain(first.url);
    // Fast: the CLI's own start-up (node + tsx) is most of it.
    expect(second.durationMs).toBeLessThan(10_000);

    expect(first.isRunning()).toBe(true);
    expect(await healthOk(first.url)).toBe(true);
    expect(readStateFile(first.dataDir)?.pid).toBe(first.pid);
  });
});

describe("--functions with another Convex project", () => {
  test("serves its schema, functions and HTTP routes, without Switchboard's bootstrap", async () => {
    const backend = await Backend.start({ functionsDir: OTHER_APP });
    expect(existsSync(join(backend.dataDir, "owner-token"))).toBe(false);

    // No auth config, no tokens: plain anonymous calls.
    const http = backend.httpClient();
    const live = subscribe(backend.client(), notes.list, { author: "ada" });
    await waitFor(() => live.values.length > 0, 10_000, "the first result");
    const first = await http.mutation(notes.add, {
      author: "ada",
      body: "one",
    });
    await http.mutation(notes.add, { author: "bob", body: "two" });
    await http.mutation(notes.add, { author: "ada", body: "three" });

    const ada = await http.query(notes.list, { author: "ada" });
    expect(ada.map((note) => note.body)).toEqual(["one", "three"]);
    expect(ada[0]?._id).toBe(first);
    expect(await http.query(notes.list, {})).toHaveLength(3);
    await waitFor(() => live.latest()?.length === 2, 5000, "the live update");

    const hello = await fetch(`${backend.siteUrl}/hello?author=ada`);
    expect(hello.status).toBe(200);
    expect(await hello.json()).toEqual({
      hello: "from other-convex-app",
      notes: 2,
    });
    const missing = await fetch(`${backend.siteUrl}/nope`);
    await missing.body?.cancel();
    expect(missing.status).toBe(404);

    // Nothing of Switchboard's: no token to print, no Switchboard functions.
    const token = await runCli(["token", "--data-dir", backend.dataDir]);
    expect(token.code).toBe(1);
    await expect(
      http.query(makeFunctionReference<"query">("tasks:list"), {}),
    ).rejects.toThrow(/Could not find|not found/i);
  });
});
