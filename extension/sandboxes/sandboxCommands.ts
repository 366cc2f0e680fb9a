/**
 * Sandbox commands: Open Sandbox (request one for a task and follow its
 * stages in a progress notification), Attach to Sandbox (a Dev Containers
 * window when that extension is installed, else a terminal inside the
 * container), and Stop / Resume / Retry / Clean Up. The work itself is done by
 * this window's runner (sandboxService.ts) once Convex records the request.
 */
import * as vscode from "vscode";
import { api } from "../../convex/_generated/api";
import type { Doc, Id } from "../../convex/_generated/dataModel";
import {
  isEnded,
  REQUESTABLE,
  STAGE_LABELS,
} from "../../convex/model/sandboxStages";
import { freshTask, taskFromArgOrPick } from "../commands/pickers";
import { pickWithDefault } from "../commands/quickPick";
import { orgIdOf, requireSession } from "../commands/session";
import { OPEN_STATUSES, taskRefFromArg } from "../commands/taskPicks";
import type { ControlPlane } from "../contracts";
import { UserError } from "../util/errors";
import { containerName } from "./docker";
import type { SandboxService } from "./sandboxService";

type Sandbox = Doc<"sandboxes">;

const DEV_CONTAINERS = "ms-vscode-remote.remote-containers";

export function sandboxCommands(plane: ControlPlane, service: SandboxService) {
  async function sandboxOf(
    arg: unknown,
    title: string,
  ): Promise<Sandbox | undefined> {
    if (isSandboxRef(arg)) {
      return await plane.query(api.sandboxes.get, { sandboxId: arg.sandboxId });
    }
    const session = requireSession(plane);
    const ref = await taskFromArgOrPick(plane, session, taskRefFromArg(arg), {
      title,
    });
    if (ref === undefined) return undefined;
    const sandbox = await plane.query(api.sandboxes.forTask, {
      taskId: ref.taskId,
    });
    if (sandbox === null) throw new UserError("This task has no sandbox.");
    return sandbox;
  }

  async function attach(sandbox: Sandbox): Promise<void> {
    if (sandbox.status !== "ready" || sandbox.worktreePath === undefined) {
      throw new UserError(
        `The sandbox of ${sandbox.taskKey} is ${sandbox.status}, not ready.`,
      );
    }
    const cli = service.cliCommand();
    if (
      vscode.extensions.getExtension(DEV_CONTAINERS) !== undefined &&
      sandbox.containerId !== undefined
    ) {
      const name = await containerName(
        sandbox.containerId,
        cli.env.DOCKER_HOST,
      );
      const authority = Buffer.from(
        JSON.stringify({ containerName: name }),
      ).toString("hex");
      await vscode.commands.executeCommand(
        "vscode.openFolder",
        vscode.Uri.parse(
          `vscode-remote://attached-container+${authority}${sandbox.worktreePath}`,
        ),
        { forceNewWindow: true },
      );
      return;
    }
    const target = await service.target(sandbox);
    const terminal = vscode.window.createTerminal({
      name: `Sandbox ${sandbox.taskKey}`,
      shellPath: cli.nodePath,
      shellArgs: [
        cli.cliPath,
        "exec",
        "--workspace-folder",
        target.workspaceFolder,
        "--override-config",
        target.overrideConfigPath,
        "--id-label",
        `switchboard.sandbox=${sandbox._id}`,
        "bash",
      ],
      env: cli.env,
    });
    terminal.show();
  }

  return {
    "switchboard.openSandbox": async (arg?: unknown) => {
      const session = requireSession(plane);
      const repository = await service.repository();
      if (repository === null) {
        throw new UserError(
          "Open the task's git repository in this window: sandboxes are worktrees of it.",
        );
      }
      const ref = await taskFromArgOrPick(plane, session, taskRefFromArg(arg), {
        title: "Open a sandbox for a task",
        statuses: OPEN_STATUSES,
      });
      if (ref === undefined) return;
      const existing = await plane.query(api.sandboxes.forTask, {
        taskId: ref.taskId,
      });
      if (existing !== null && !isEnded(existing.status)) {
        if (existing.status === "ready") await attach(existing);
        else await follow(plane, existing._id, attach);
        return;
      }
      const task = await freshTask(plane, ref);
      const branches = await service.branches(repository);
      const base = await pickWithDefault(
        branches.map((branch) => ({ label: branch })),
        {
          title: "Sandbox: base branch",
          placeholder: `Branch to start from (Enter for ${branches[0] ?? "main"})`,
        },
      );
      if (base === undefined) return;
      const agentId =
        task.assigneeId !== undefined &&
        (await isAgent(plane, session, task.assigneeId))
          ? undefined
          : await pickAgent(plane, orgIdOf(session));
      if (agentId === null) return;
      const sandboxId = await plane.mutation(api.sandboxes.request, {
        taskId: ref.taskId,
        baseBranch: base.label,
        repository,
        ...(agentId === undefined ? {} : { agentId }),
      });
      await follow(plane, sandboxId, attach);
    },

    "switchboard.attachSandbox": async (arg?: unknown) => {
      const sandbox = await sandboxOf(arg, "Attach to a task's sandbox");
      if (sandbox !== undefined) await attach(sandbox);
    },

    "switchboard.changeSandbox": async (arg?: unknown) => {
      const sandbox = await sandboxOf(arg, "Change a task's sandbox");
      if (sandbox === undefined) return;
      const changes = (
        Object.keys(REQUESTABLE) as (keyof typeof REQUESTABLE)[]
      ).filter((change) => REQUESTABLE[change].includes(sandbox.status));
      if (changes.length === 0) {
        throw new UserError(
          `Nothing to do with a ${sandbox.status} sandbox right now.`,
        );
      }
      const picked = await vscode.window.showQuickPick(
        changes.map((change) => ({ label: CHANGE_LABELS[change], change })),
        { title: `Sandbox of ${sandbox.taskKey} (${sandbox.status})` },
      );
      if (picked === undefined) return;
      await plane.mutation(api.sandboxes.change, {
        sandboxId: sandbox._id,
        change: picked.change,
      });
    },
  };
}

const CHANGE_LABELS: Record<keyof typeof REQUESTABLE, string> = {
  retry: "Retry from the failed stage",
  stop: "Stop the container",
  resume: "Resume",
  cleanup: "Clean up (keeps unmerged work)",
};

function isSandboxRef(arg: unknown): arg is { sandboxId: Id<"sandboxes"> } {
  return (
    typeof arg === "object" &&
    arg !== null &&
    "sandboxId" in arg &&
    typeof arg.sandboxId === "string"
  );
}

async function isAgent(
  plane: ControlPlane,
  session: { orgId: string },
  principalId: string,
): Promise<boolean> {
  const agents = await plane.query(api.agents.list, {
    orgId: session.orgId as Id<"orgs">,
  });
  return agents.some((agent) => agent._id === principalId);
}

/** The agent to work in the sandbox; null when dismissed. */
async function pickAgent(
  plane: ControlPlane,
  orgId: Id<"orgs">,
): Promise<Id<"agents"> | null> {
  const agents = await plane.query(api.agents.list, { orgId });
  if (agents.length === 0) {
    throw new UserError(
      'Create an agent first ("Switchboard: Create Agent Token"): the sandbox gets a token for it.',
    );
  }
  const picked = await vscode.window.showQuickPick(
    agents.map((agent) => ({ label: agent.name, agentId: agent._id })),
    { title: "Sandbox: the agent that will work in it" },
  );
  return picked?.agentId ?? null;
}

/** Shows the stages as they happen until the sandbox is ready or failed. */
async function follow(
  plane: ControlPlane,
  sandboxId: Id<"sandboxes">,
  attach: (sandbox: Sandbox) => Promise<void>,
): Promise<void> {
  const settled = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: "Sandbox",
      cancellable: true,
    },
    (progress, cancelled) =>
      new Promise<Sandbox | null>((resolve) => {
        // The first value may arrive before watch() returns: settle once, then stop.
        let settledWith: Sandbox | null | undefined;
        const settle = (value: Sandbox | null) => {
          if (settledWith !== undefined) return;
          settledWith = value;
          resolve(value);
          queueMicrotask(() => {
            watch.dispose();
          });
        };
        const watch = plane.watch(
          api.sandboxes.get,
          () => ({ sandboxId }),
          (sandbox) => {
            progress.report({ message: describe(sandbox) });
            if (sandbox.status === "ready" || sandbox.status === "failed") {
              settle(sandbox);
            }
          },
          () => settle(null),
        );
        cancelled.onCancellationRequested(() => settle(null));
      }),
  );
  if (settled === null) return;
  if (settled.status === "failed") {
    throw new UserError(
      `The sandbox of ${settled.taskKey} failed at ${STAGE_LABELS[settled.stage]}: ${settled.note ?? "see the task's Sandbox section"}`,
    );
  }
  const choice = await vscode.window.showInformationMessage(
    `The sandbox of ${settled.taskKey} is ready on ${settled.branch}.`,
    "Open",
  );
  if (choice === "Open") await attach(settled);
}

function describe(sandbox: Sandbox): string {
  if (sandbox.status === "requested") {
    return `${sandbox.taskKey}: waiting for a VS Code window with the repository open…`;
  }
  return `${sandbox.taskKey}: ${STAGE_LABELS[sandbox.stage]} (${sandbox.status})`;
}
