/**
 * Loading a repository's devcontainer.json (JSONC) with actionable errors, the
 * default when there is none, and the sandbox additions on a copy.
 */
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, test, vi } from "vitest";
import {
  DEFAULT_SANDBOX_IMAGE,
  SANDBOX_TOOLS_DIR,
  loadDevcontainerConfig,
  withSandboxAdditions,
  writeOverrideConfig,
  type SandboxAdditions,
} from "../../../../extension/sandboxes/devcontainerConfig";
import { declaresLifecycleCommands } from "../../../../extension/sandboxes/stages";
import {
  SandboxStageError,
  tailText,
} from "../../../../extension/sandboxes/stageError";

const root = mkdtempSync(join(tmpdir(), "sb-dcconfig-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => vi.unstubAllEnvs());

let counter = 0;

function worktreeWith(files: Record<string, string>): string {
  const dir = join(root, `wt-${++counter}`);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function loadError(dir: string): Promise<string> {
  const error: unknown = await loadDevcontainerConfig(dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SandboxStageError);
  return (error as SandboxStageError).message;
}

describe("loadDevcontainerConfig", () => {
  test("reads JSONC with comments and trailing commas; build paths become absolute", async () => {
    const dir = worktreeWith({
      ".devcontainer/devcontainer.json": `{
        // the team's toolchain
        "name": "app",
        /* built locally */
        "build": { "dockerfile": "Dockerfile", "context": "..", },
        "containerEnv": { "A": "1", },
      }`,
    });
    const loaded = await loadDevcontainerConfig(dir);
    expect(loaded.source).toBe("repository");
    expect(loaded.path).toBe(join(dir, ".devcontainer", "devcontainer.json"));
    expect(loaded.config).toEqual({
      name: "app",
      build: {
        dockerfile: join(dir, ".devcontainer", "Dockerfile"),
        context: dir,
      },
      containerEnv: { A: "1" },
    });
  });

  test("falls back to .devcontainer.json at the root", async () => {
    const dir = worktreeWith({
      ".devcontainer.json": `{ "image": "node:20" }`,
    });
    const loaded = await loadDevcontainerConfig(dir);
    expect(loaded).toEqual({
      source: "repository",
      path: join(dir, ".devcontainer.json"),
      config: { image: "node:20" },
    });
  });

  test("broken JSON: the file, line, column and what was expected", async () => {
    const dir = worktreeWith({
      ".devcontainer/devcontainer.json": `{\n  "image": "x"\n  "name": "y"\n}`,
    });
    expect(await loadError(dir)).toBe(
      `${join(dir, ".devcontainer", "devcontainer.json")} line 3, column 3: comma expected. Fix the file and retry.`,
    );
  });

  test("not an object, compose-based, or nothing to start: refused", async () => {
    expect(
      await loadError(worktreeWith({ ".devcontainer.json": "[1]" })),
    ).toMatch(/must contain a JSON object/);
    expect(
      await loadError(
        worktreeWith({
          ".devcontainer.json": `{ "dockerComposeFile": "compose.yml", "service": "app" }`,
        }),
      ),
    ).toMatch(
      /Docker Compose dev containers are not supported for sandboxes yet/,
    );
    expect(
      await loadError(
        worktreeWith({ ".devcontainer.json": `{ "name": "x" }` }),
      ),
    ).toMatch(/neither "image" nor "build"/);
  });

  test("no devcontainer.json: the default image, overridable by environment", async () => {
    const dir = worktreeWith({ "README.md": "hi" });
    expect(await loadDevcontainerConfig(dir)).toEqual({
      source: "default",
      config: { name: "Switchboard sandbox", image: DEFAULT_SANDBOX_IMAGE },
    });
    vi.stubEnv("SWITCHBOARD_SANDBOX_IMAGE", "mine:1");
    expect((await loadDevcontainerConfig(dir)).config.image).toBe("mine:1");
  });
});

const additions: SandboxAdditions = {
  sandboxId: "sbx-1",
  worktreePath: "/work/wt/AA-1",
  gitCommonDir: "/work/repo/.git",
  backendUrl: "http://127.0.0.1:3210",
  siteUrl: "http://127.0.0.1:3211",
  hostNetwork: true,
  toolsDir: "/ext/dist",
};

describe("withSandboxAdditions", () => {
  test("merges mounts, env and run args into a copy; ours win", () => {
    const repoConfig = {
      image: "node:20",
      workspaceFolder: "/workspaces/app",
      mounts: [
        "source=cache,target=/cache,type=volume",
        { source: "/elsewhere", target: SANDBOX_TOOLS_DIR, type: "bind" },
      ],
      containerEnv: { A: "1", SWITCHBOARD_URL: "theirs" },
      runArgs: ["--cap-add=SYS_PTRACE"],
    };
    const frozen = JSON.stringify(repoConfig);
    const result = withSandboxAdditions(repoConfig, additions);
    expect(JSON.stringify(repoConfig)).toBe(frozen);
    expect(result).toEqual({
      image: "node:20",
      workspaceMount: "source=/work/wt/AA-1,target=/work/wt/AA-1,type=bind",
      workspaceFolder: "/work/wt/AA-1",
      mounts: [
        "source=cache,target=/cache,type=volume",
        "source=/work/repo/.git,target=/work/repo/.git,type=bind",
        "source=/ext/dist,target=/opt/switchboard,type=bind,readonly",
      ],
      containerEnv: {
        A: "1",
        GIT_CONFIG_COUNT: "2",
        GIT_CONFIG_KEY_0: "safe.directory",
        GIT_CONFIG_VALUE_0: "/work/wt/AA-1",
        GIT_CONFIG_KEY_1: "safe.directory",
        GIT_CONFIG_VALUE_1: "/work/repo/.git",
        SWITCHBOARD_URL: "http://127.0.0.1:3210",
        SWITCHBOARD_SITE_URL: "http://127.0.0.1:3211",
        SWITCHBOARD_SANDBOX_ID: "sbx-1",
      },
      runArgs: ["--cap-add=SYS_PTRACE", "--network=host"],
    });
    expect(JSON.stringify(result).toLowerCase()).not.toContain("token");
  });

  test("numbers the safe.directory entries after the repository's own git config", () => {
    const result = withSandboxAdditions(
      {
        image: "x",
        containerEnv: {
          GIT_CONFIG_COUNT: "1",
          GIT_CONFIG_KEY_0: "core.editor",
          GIT_CONFIG_VALUE_0: "vi",
        },
      },
      additions,
    );
    expect(result.containerEnv).toMatchObject({
      GIT_CONFIG_COUNT: "3",
      GIT_CONFIG_KEY_0: "core.editor",
      GIT_CONFIG_KEY_1: "safe.directory",
      GIT_CONFIG_VALUE_1: "/work/wt/AA-1",
      GIT_CONFIG_VALUE_2: "/work/repo/.git",
    });
  });

  test("keeps the repository's own network, and none without hostNetwork", () => {
    const own = withSandboxAdditions(
      { image: "x", runArgs: ["--network", "bridge"] },
      additions,
    );
    expect(own.runArgs).toEqual(["--network", "bridge"]);
    const none = withSandboxAdditions(
      { image: "x" },
      { ...additions, hostNetwork: false },
    );
    expect(none.runArgs).toEqual([]);
  });
});

describe("writeOverrideConfig and tailText", () => {
  test("writes owner-only JSON into a new directory", async () => {
    const dir = join(root, "override", "sbx-1");
    const path = await writeOverrideConfig({ image: "x" }, dir);
    expect(path).toBe(join(dir, "devcontainer.json"));
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({ image: "x" });
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  test("tailText keeps whole last lines", () => {
    const text = ["one", "two", "three", "four"].join("\n");
    expect(tailText(text, 100)).toBe(text);
    expect(tailText(text, 12)).toBe("three\nfour");
    expect(tailText("x".repeat(10), 4)).toBe("xxxx");
  });
});

describe("declaresLifecycleCommands (the container's devcontainer.metadata label)", () => {
  test("none: the dependency stage can skip the CLI", () => {
    expect(
      declaresLifecycleCommands('[{"id":"base"},{"remoteUser":"root"}]'),
    ).toBe(false);
  });
  test("any lifecycle command, in any entry, counts", () => {
    expect(
      declaresLifecycleCommands('[{"id":"f"},{"postCreateCommand":"npm ci"}]'),
    ).toBe(true);
    expect(declaresLifecycleCommands('{"onCreateCommand":["make"]}')).toBe(
      true,
    );
  });
  test("unreadable or missing metadata: assume there are some", () => {
    expect(declaresLifecycleCommands("")).toBe(true);
    expect(declaresLifecycleCommands("[1]")).toBe(true);
  });
});
