/**
 * Native agents in a thread: start a session (which agents, in what roles,
 * about what, for how many turns) and stop the one running. The turns run in
 * the control plane (convex/nativeSessions.ts); the thread panel shows them.
 */
import * as vscode from "vscode";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import type { NativeRole } from "../../convex/model/nativeRoles";
import type { ControlPlane, Panels } from "../contracts";
import type { CommandHandler } from "../util/commandBoundary";
import { UserError } from "../util/errors";
import {
  MAX_TURNS_LIMIT,
  nativeAgentItems,
  parseMaxTurns,
  roleItems,
  threadIdFromArg,
} from "./nativeSessionPicks";
import { orgIdOf, projectIdOf, requireSession } from "./session";

const DEFAULT_TURNS = "6";

async function pickThread(
  plane: ControlPlane,
  arg: unknown,
): Promise<Id<"threads"> | undefined> {
  const fromArg = threadIdFromArg(arg);
  if (fromArg !== undefined) return fromArg;
  const session = requireSession(plane);
  const { page } = await plane.query(api.threads.list, {
    projectId: projectIdOf(session),
    paginationOpts: { numItems: 50, cursor: null },
  });
  if (page.length === 0) throw new UserError("The project has no threads yet.");
  const picked = await vscode.window.showQuickPick(
    page.map((thread) => ({ label: thread.title, threadId: thread._id })),
    { title: "Start Native Session", placeHolder: "In which thread?" },
  );
  return picked?.threadId;
}

async function pickParticipants(
  plane: ControlPlane,
): Promise<{ agentId: Id<"agents">; role: NativeRole }[] | undefined> {
  const session = requireSession(plane);
  const agents = nativeAgentItems(
    await plane.query(api.agents.list, { orgId: orgIdOf(session) }),
  );
  if (agents.length === 0) {
    throw new UserError(
      'The org has no native agents yet: create one with "Switchboard: Create Native Agent".',
    );
  }
  const chosen = await vscode.window.showQuickPick(agents, {
    title: "Start Native Session",
    placeHolder: "Which native agents take turns (in this order)?",
    canPickMany: true,
  });
  if (chosen === undefined || chosen.length === 0) return undefined;
  const participants = [];
  for (const agent of chosen) {
    const role = await vscode.window.showQuickPick(roleItems(), {
      title: `Role of ${agent.label}`,
      placeHolder: "A sharp role keeps the session useful",
    });
    if (role === undefined) return undefined;
    participants.push({ agentId: agent.agentId, role: role.label });
  }
  return participants;
}

async function startSession(
  plane: ControlPlane,
  panels: Panels,
  arg: unknown,
): Promise<void> {
  const threadId = await pickThread(plane, arg);
  if (threadId === undefined) return;
  const participants = await pickParticipants(plane);
  if (participants === undefined) return;
  const goal = await vscode.window.showInputBox({
    title: "Start Native Session: goal",
    prompt: "Posted to the thread first, as your message (optional)",
    ignoreFocusOut: true,
  });
  if (goal === undefined) return;
  const turns = await vscode.window.showInputBox({
    title: "Start Native Session: turns",
    prompt: `The most turns, all agents together (1 to ${MAX_TURNS_LIMIT})`,
    value: DEFAULT_TURNS,
    validateInput: (value) => {
      const parsed = parseMaxTurns(value);
      return parsed.ok ? undefined : parsed.message;
    },
  });
  if (turns === undefined) return;
  const parsed = parseMaxTurns(turns);
  if (!parsed.ok) throw new UserError(parsed.message);
  await plane.mutation(api.nativeSessions.start, {
    threadId,
    participants,
    ...(goal.trim() === "" ? {} : { goal }),
    maxTurns: parsed.maxTurns,
  });
  panels.open("thread", { threadId });
}

async function stopSession(plane: ControlPlane, arg: unknown): Promise<void> {
  const threadId = await pickThread(plane, arg);
  if (threadId === undefined) return;
  const session = await plane.query(api.nativeSessions.forThread, {
    threadId,
  });
  if (session?.status !== "running") {
    throw new UserError("No native session is running in this thread.");
  }
  await plane.mutation(api.nativeSessions.stop, { sessionId: session._id });
  void vscode.window.showInformationMessage("Native session stopped.");
}

/** A native agent: a name and standing instructions (admins only, by the backend's rule). */
async function createNativeAgent(plane: ControlPlane): Promise<void> {
  const session = requireSession(plane);
  const name = await vscode.window.showInputBox({
    title: "New native agent: name",
    prompt: "e.g. release-planner",
    validateInput: (value) =>
      value.trim() === "" ? "An agent needs a name." : undefined,
    ignoreFocusOut: true,
  });
  if (name === undefined) return;
  const instructions = await vscode.window.showInputBox({
    title: `New native agent ${name.trim()}: instructions`,
    prompt: "Its standing instructions, given with its role at every turn",
    ignoreFocusOut: true,
  });
  if (instructions === undefined) return;
  await plane.mutation(api.agents.create, {
    orgId: orgIdOf(session),
    name: name.trim(),
    kind: "native",
    instructions,
  });
  void vscode.window.showInformationMessage(
    `Native agent ${name.trim()} created. It runs in the control plane with the deployment's ANTHROPIC_API_KEY.`,
  );
}

export function nativeSessionCommands(
  plane: ControlPlane,
  panels: Panels,
): Record<string, CommandHandler> {
  return {
    "switchboard.startNativeSession": (arg?: unknown) =>
      startSession(plane, panels, arg),
    "switchboard.stopNativeSession": (arg?: unknown) => stopSession(plane, arg),
    "switchboard.createNativeAgent": () => createNativeAgent(plane),
  };
}
