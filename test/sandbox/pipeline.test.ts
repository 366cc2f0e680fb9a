/**
 * Sandboxes end to end on a real Docker engine: a person requests one for a
 * task, a runner brings it up stage by stage (git worktree, dev container from
 * the local image, token, lifecycle commands, Claude Code's MCP config, health
 * check) and the control plane shows it ready; a command inside sees the
 * worktree and reaches the backend with the sandbox's token; stop, resume and
 * cleanup (keeping unmerged work). Needs `npm run build` (dist/mcp-server.js is
 * mounted into the container) and scripts/install-docker.sh.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { defaultSandboxImage } from "../../extension/sandboxes/devcontainerConfig";
import { containerState } from "../../extension/sandboxes/docker";
import { SandboxRunner } from "../../extension/sandboxes/runner";
import { runnerCalls } from "../../extension/sandboxes/runnerCalls";
import { writeTarget } from "../../extension/sandboxes/stages";
import { git } from "../support/gitRepo";
import { callsOf, startSandboxWorld, type SandboxWorld } from "./sandboxWorld";

let sw: SandboxWorld;

beforeAll(async () => {
  sw = await startSandboxWorld();
});
afterAll(async () => {
  await sw?.dispose();
});

async function execIn(sandboxId: Id<"sandboxes">, script: string) {
  const sandbox = await sw.sandbox(sandboxId);
  const target = await writeTarget({ sandbox, env: sw.env });
  return await sw.env.devcontainer.exec(target, ["sh", "-c", script]);
}

describe("a sandbox for a task", () => {
  let taskId: Id<"tasks">;
  let sandboxId: Id<"sandboxes">;

  test("comes up through every stage and is ready in Convex", async () => {
    taskId = await sw.newTask("Add a health endpoint");
    sandboxId = await sw.request(taskId);
    expect(await sw.runner.drain()).toBe(1);

    const sandbox = await sw.sandbox(sandboxId);
    expect(sandbox.status, sw.log.join("\n") + sandbox.logTail).toBe("ready");
    expect(sandbox.branch).toMatch(
      /^switchboard\/\w+-\d+-add-a-health-endpoint$/,
    );
    expect(sandbox.repository).toBe(sw.repository);
    expect(sandbox.worktreePath).toBe(
      join(sw.env.worktreeRoot, sandbox.taskKey),
    );
    expect(sandbox.containerId).toMatch(/^[0-9a-f]{64}$/);
    for (const stage of sandbox.stages) {
      expect(stage.state).toBe("done");
      expect(stage.endedAt).toBeGreaterThanOrEqual(stage.startedAt ?? Infinity);
    }
    // The branch was made from main in a worktree; the main checkout is untouched.
    expect(git(sw.repository, "branch", "--show-current").trim()).toBe("main");
    expect(git(sandbox.worktreePath!, "branch", "--show-current").trim()).toBe(
      sandbox.branch,
    );
  });

  test("a command inside sees the worktree and reaches the backend with the sandbox's token", async () => {
    const sandbox = await sw.sandbox(sandboxId);
    const result = await execIn(
      sandboxId,
      `pwd && cat README.md && git status --short --branch && SWITCHBOARD_TOKEN_FILE="$HOME/.switchboard/token" node /opt/switchboard/mcp-server.js check && grep -c '"switchboard"' "$HOME/.claude.json"`,
    );
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(sandbox.worktreePath!);
    expect(result.stdout).toContain("# app");
    expect(result.stdout).toContain(`## ${sandbox.branch}`);
    expect(result.stdout).toMatch(
      /switchboard-mcp check: ok, agent "sandbox-agent" in project/,
    );

    // The token is the sandbox's own: limited to its task, never in docker inspect.
    const token = await sw.world.backend
      .httpClient(await sw.world.backend.signIn())
      .query(api.agentTokens.list, { agentId: sw.agent.agentId });
    const sandboxToken = token.find((row) => row._id === sandbox.tokenId);
    expect(sandboxToken?.label).toBe(`sandbox ${sandbox.taskKey}`);
    const inspect = execFileSync("docker", ["inspect", sandbox.containerId!], {
      encoding: "utf8",
    });
    expect(inspect).not.toMatch(/sba_/);
    expect(inspect).toContain(`SWITCHBOARD_SANDBOX_ID=${sandboxId}`);
  });

  test("stops and resumes", async () => {
    await sw.world.owner.mutation(api.sandboxes.change, {
      sandboxId,
      change: "stop",
    });
    await sw.runner.drain();
    const stopped = await sw.sandbox(sandboxId);
    expect(stopped.status).toBe("stopped");
    expect(await containerState(stopped.containerId!)).toBe("stopped");

    await sw.world.owner.mutation(api.sandboxes.change, {
      sandboxId,
      change: "resume",
    });
    await sw.runner.drain();
    const resumed = await sw.sandbox(sandboxId);
    expect(resumed.status, resumed.note).toBe("ready");
    expect(await containerState(resumed.containerId!)).toBe("running");
  });

  test("the task done: container removed, unmerged work kept and flagged, token revoked", async () => {
    const sandbox = await sw.sandbox(sandboxId);
    const worktree = sandbox.worktreePath!;
    await writeFile(join(worktree, "health.ts"), "export const ok = true;\n");
    git(worktree, "add", ".");
    git(worktree, "commit", "-q", "-m", "health endpoint");

    await sw.world.owner.mutation(api.tasks.move, {
      taskId,
      status: "cancelled",
    });
    expect((await sw.sandbox(sandboxId)).status).toBe("cleaning");
    await sw.runner.drain();

    const kept = await sw.sandbox(sandboxId);
    expect(kept.status).toBe("kept");
    expect(kept.note).toMatch(/not merged|not pushed/);
    expect(existsSync(join(worktree, "health.ts"))).toBe(true);
    expect(await containerState(sandbox.containerId!)).toBe("missing");
    const tokens = await sw.world.owner.query(api.agentTokens.list, {
      agentId: sw.agent.agentId,
    });
    expect(
      tokens.find((row) => row._id === sandbox.tokenId)?.revokedAt,
    ).toBeTypeOf("number");
  });
});

describe("cleanup of merged work", () => {
  test("removes the worktree and the branch once the branch is merged", async () => {
    const taskId = await sw.newTask("Small fix");
    const sandboxId = await sw.request(taskId);
    await sw.runner.drain();
    const sandbox = await sw.sandbox(sandboxId);
    expect(sandbox.status, sandbox.note).toBe("ready");
    // Nothing committed: the branch is at main, i.e. merged.
    await sw.world.owner.mutation(api.sandboxes.change, {
      sandboxId,
      change: "cleanup",
    });
    await sw.runner.drain();
    const cleaned = await sw.sandbox(sandboxId);
    expect(cleaned.status, cleaned.note).toBe("cleaned");
    expect(existsSync(sandbox.worktreePath!)).toBe(false);
    expect(git(sw.repository, "branch", "--list", sandbox.branch).trim()).toBe(
      "",
    );
  });
});

describe("the sweep", () => {
  test("marks a sandbox whose container disappeared, and a retry brings it back", async () => {
    const taskId = await sw.newTask("Sweep me");
    const sandboxId = await sw.request(taskId);
    await sw.runner.drain();
    const sandbox = await sw.sandbox(sandboxId);
    expect(sandbox.status, sandbox.note).toBe("ready");
    execFileSync("docker", ["rm", "-f", sandbox.containerId!]);

    expect(await sw.runner.sweep()).toBe(1);
    const missing = await sw.sandbox(sandboxId);
    expect(missing.status).toBe("missing");
    expect(missing.note).toMatch(/container .* is gone/);

    await sw.world.owner.mutation(api.sandboxes.change, {
      sandboxId,
      change: "retry",
    });
    await sw.runner.drain();
    const back = await sw.sandbox(sandboxId);
    expect(back.status, back.note).toBe("ready");
    expect(back.containerId).not.toBe(sandbox.containerId);
  });
});

describe("a Docker host named by DOCKER_HOST", () => {
  test("is used for every Docker call and recorded on the sandbox", async () => {
    const dockerHost = "unix:///var/run/docker.sock";
    const env = { ...sw.env, dockerHost };
    const runner = new SandboxRunner(
      runnerCalls(callsOf(sw.world.owner), {
        projectId: sw.world.projectId,
        runnerId: `docker-host-runner-${process.pid}`,
        repository: sw.repository,
        host: dockerHost,
      }),
      env,
      (line) => sw.log.push(line),
    );
    const sandboxId = await sw.request(await sw.newTask("On a named host"));
    await runner.drain();
    const sandbox = await sw.sandbox(sandboxId);
    expect(sandbox.status, sandbox.note).toBe("ready");
    expect(sandbox.host).toBe(dockerHost);
    expect(await containerState(sandbox.containerId!, dockerHost)).toBe(
      "running",
    );
  });
});

describe("the repository's own devcontainer.json", () => {
  test("is used, and its lifecycle commands run in the dependency stage", async () => {
    await mkdir(join(sw.repository, ".devcontainer"), { recursive: true });
    await writeFile(
      join(sw.repository, ".devcontainer", "devcontainer.json"),
      `{
  // JSONC, as VS Code writes it
  "name": "app",
  "image": "${defaultSandboxImage()}",
  "containerEnv": { "APP_MODE": "sandboxed" },
  "postCreateCommand": "echo installed > /tmp/deps-marker",
}
`,
    );
    git(sw.repository, "add", ".devcontainer");
    git(sw.repository, "commit", "-q", "-m", "dev container");
    try {
      const sandboxId = await sw.request(
        await sw.newTask("With its own config"),
      );
      await sw.runner.drain();
      const sandbox = await sw.sandbox(sandboxId);
      expect(sandbox.status, sandbox.note).toBe("ready");
      const result = await execIn(
        sandboxId,
        'cat /tmp/deps-marker && echo "$APP_MODE"',
      );
      expect(result.stdout).toBe("installed\nsandboxed\n");
    } finally {
      git(sw.repository, "rm", "-q", "-r", ".devcontainer");
      git(sw.repository, "commit", "-q", "-m", "no dev container");
    }
  });
});
