/**
 * Task commands: create, claim, assign, move, open, and open its thread. Each
 * takes the Tasks view's element when run from its context menu, else asks.
 */
import * as vscode from "vscode";
import { api } from "../../convex/_generated/api";
import type { Priority } from "../../convex/validators";
import type { ControlPlane, Panels } from "../contracts";
import { statusLabel, taskKey } from "../views/format";
import { isThreadNode } from "../views/nodes";
import { pickWithDefault } from "./quickPick";
import { freshTask, loadPeople, taskFromArgOrPick } from "./pickers";
import { projectIdOf, requireSession } from "./session";
import {
  CLAIMABLE_STATUSES,
  DEFAULT_PRIORITY,
  moveTargets,
  OPEN_STATUSES,
  personPickItems,
  PRIORITIES,
  taskRefFromArg,
  validateTitle,
} from "./taskPicks";

export function taskCommands(plane: ControlPlane, panels: Panels) {
  return {
    "switchboard.openBoard": () => {
      panels.open("board");
      return Promise.resolve();
    },

    "switchboard.createTask": async () => {
      const session = requireSession(plane);
      const title = await vscode.window.showInputBox({
        title: "New task (1/3): title",
        prompt: "What needs doing?",
        validateInput: validateTitle,
        ignoreFocusOut: true,
      });
      if (title === undefined) return;
      const description = await vscode.window.showInputBox({
        title: "New task (2/3): description",
        prompt: "Optional: details, acceptance criteria. Leave empty for none.",
        ignoreFocusOut: true,
      });
      if (description === undefined) return;
      const items = PRIORITIES.map((priority) => ({
        label: priority,
        priority,
      }));
      const picked = await pickWithDefault(items, {
        title: "New task (3/3): priority",
        placeholder: `Priority (Enter for ${DEFAULT_PRIORITY})`,
        active: items.find((item) => item.priority === DEFAULT_PRIORITY),
      });
      if (picked === undefined) return;
      const priority: Priority = picked.priority;
      const taskId = await plane.mutation(api.tasks.create, {
        projectId: projectIdOf(session),
        title: title.trim(),
        ...(description.trim() === ""
          ? {}
          : { description: description.trim() }),
        priority,
        status: "todo",
      });
      const task = await plane.query(api.tasks.get, { taskId });
      const open = await vscode.window.showInformationMessage(
        `Created ${taskKey(session.projectKey, task.number)}: ${task.title}`,
        "Open",
      );
      if (open === "Open") panels.open("task", { taskId });
    },

    "switchboard.claimTask": async (arg?: unknown) => {
      const session = requireSession(plane);
      const ref = await taskFromArgOrPick(plane, session, taskRefFromArg(arg), {
        title: "Claim a task",
        statuses: CLAIMABLE_STATUSES,
      });
      if (ref === undefined) return;
      const task = await plane.mutation(api.tasks.claim, {
        projectId: projectIdOf(session),
        taskId: ref.taskId,
      });
      const until =
        task.lease === undefined
          ? ""
          : `, yours until ${new Date(task.lease.expiresAt).toLocaleTimeString()} unless renewed`;
      void vscode.window.showInformationMessage(
        `Claimed ${taskKey(session.projectKey, task.number)} (${statusLabel(task.status)}${until}).`,
      );
    },

    "switchboard.assignTask": async (arg?: unknown) => {
      const session = requireSession(plane);
      const ref = await taskFromArgOrPick(plane, session, taskRefFromArg(arg), {
        title: "Assign a task",
        statuses: OPEN_STATUSES,
      });
      if (ref === undefined) return;
      const [task, people] = await Promise.all([
        freshTask(plane, ref),
        loadPeople(plane, session),
      ]);
      const key = taskKey(session.projectKey, task.number);
      const picked = await vscode.window.showQuickPick(
        personPickItems(people, task.assigneeId),
        { title: `Assign ${key} ${task.title}`, placeHolder: "To whom?" },
      );
      if (picked === undefined) return;
      await plane.mutation(api.tasks.assign, {
        taskId: ref.taskId,
        ...(picked.assigneeId === undefined
          ? {}
          : { assigneeId: picked.assigneeId }),
      });
      vscode.window.setStatusBarMessage(
        picked.assigneeId === undefined
          ? `Switchboard: ${key} unassigned`
          : `Switchboard: ${key} assigned to ${picked.label}`,
        5_000,
      );
    },

    "switchboard.moveTask": async (arg?: unknown) => {
      const session = requireSession(plane);
      const ref = await taskFromArgOrPick(plane, session, taskRefFromArg(arg), {
        title: "Move a task",
      });
      if (ref === undefined) return;
      // The legal moves depend on the status now, not on what the tree showed.
      const task = await freshTask(plane, ref);
      const key = taskKey(session.projectKey, task.number);
      const picked = await vscode.window.showQuickPick(
        moveTargets(task.status).map((status) => ({
          label: statusLabel(status),
          status,
        })),
        {
          title: `Move ${key} ${task.title}`,
          placeHolder: `From ${statusLabel(task.status)} to…`,
        },
      );
      if (picked === undefined) return;
      await plane.mutation(api.tasks.move, {
        taskId: ref.taskId,
        status: picked.status,
      });
      vscode.window.setStatusBarMessage(
        `Switchboard: ${key} moved to ${picked.label}`,
        5_000,
      );
    },

    "switchboard.openTask": async (arg?: unknown) => {
      const session = requireSession(plane);
      const ref = await taskFromArgOrPick(plane, session, taskRefFromArg(arg), {
        title: "Open a task",
      });
      if (ref !== undefined) panels.open("task", { taskId: ref.taskId });
    },

    "switchboard.openThread": async (arg?: unknown) => {
      if (isThreadNode(arg)) {
        panels.open("thread", { threadId: arg.thread._id });
        return;
      }
      const session = requireSession(plane);
      const ref = await taskFromArgOrPick(plane, session, taskRefFromArg(arg), {
        title: "Open a task's thread",
      });
      if (ref === undefined) return;
      // Reading first spares a write (and the threads:post permission) when the thread exists.
      const existing = await plane.query(api.threads.forTask, {
        taskId: ref.taskId,
      });
      const threadId =
        existing?._id ??
        (await plane.mutation(api.threads.ensureForTask, {
          taskId: ref.taskId,
        }));
      panels.open("thread", { threadId });
    },
  };
}
