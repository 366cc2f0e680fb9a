/**
 * The palette's way of naming things when a command was not run from a tree
 * item: QuickPicks of tasks, people and pending approvals, loaded fresh from
 * the backend each time (one-shot queries, not subscriptions).
 */
import * as vscode from "vscode";
import { api } from "../../convex/_generated/api";
import type { TaskStatus } from "../../convex/validators";
import type { ControlPlane, Session } from "../contracts";
import { BOARD_ORDER, truncate } from "../views/format";
import type { Approval, BoardCard, Person } from "../views/nodes";
import { UserError } from "../util/errors";
import { projectIdOf } from "./session";
import { taskPickItems, type TaskRef } from "./taskPicks";

/** Cards per status offered in a task picker; the board has the rest. */
const PICK_PAGE = 100;

export async function loadPeople(
  plane: ControlPlane,
  session: Session,
): Promise<Person[]> {
  return await plane.query(api.board.people, {
    projectId: projectIdOf(session),
  });
}

export function namesOf(people: readonly Person[]): Map<string, string> {
  return new Map(people.map((person) => [person.id, person.name]));
}

export async function loadCards(
  plane: ControlPlane,
  session: Session,
  statuses: readonly TaskStatus[] = BOARD_ORDER,
): Promise<BoardCard[]> {
  const pages = await Promise.all(
    statuses.map((status) =>
      plane.query(api.board.column, {
        projectId: projectIdOf(session),
        status,
        paginationOpts: { numItems: PICK_PAGE, cursor: null },
      }),
    ),
  );
  return pages.flatMap((page) => page.page);
}

/** A task chosen by key or title among `statuses`; undefined if the person dismissed the pick. */
export async function pickTask(
  plane: ControlPlane,
  session: Session,
  options: { title: string; statuses?: readonly TaskStatus[] },
): Promise<TaskRef | undefined> {
  const [cards, people] = await Promise.all([
    loadCards(plane, session, options.statuses),
    loadPeople(plane, session),
  ]);
  if (cards.length === 0) {
    throw new UserError("There is no task to choose from here.");
  }
  const picked = await vscode.window.showQuickPick(
    taskPickItems(cards, session.projectKey, namesOf(people)),
    {
      title: options.title,
      placeHolder: `Search by key (${session.projectKey}-12) or title`,
      matchOnDescription: true,
    },
  );
  return picked === undefined
    ? undefined
    : { taskId: picked.card._id, card: picked.card };
}

/** The task named by the argument (a tree element), else one the person picks. */
export async function taskFromArgOrPick(
  plane: ControlPlane,
  session: Session,
  fromArg: TaskRef | undefined,
  options: { title: string; statuses?: readonly TaskStatus[] },
): Promise<TaskRef | undefined> {
  return fromArg ?? (await pickTask(plane, session, options));
}

/** The task's current card: the tree's copy may be stale, and `{ taskId }` has none. */
export async function freshTask(plane: ControlPlane, ref: TaskRef) {
  return await plane.query(api.tasks.get, { taskId: ref.taskId });
}

export async function pickPendingApproval(
  plane: ControlPlane,
  session: Session,
  title: string,
): Promise<Approval | undefined> {
  const [{ approvals }, people] = await Promise.all([
    plane.query(api.approvals.listPending, {
      projectId: projectIdOf(session),
      limit: 100,
    }),
    loadPeople(plane, session),
  ]);
  if (approvals.length === 0) {
    void vscode.window.showInformationMessage(
      "Switchboard: no approvals are pending.",
    );
    return undefined;
  }
  const names = namesOf(people);
  const picked = await vscode.window.showQuickPick(
    approvals.map((approval) => ({
      label: approval.summary,
      description: `${names.get(approval.requesterId) ?? "someone"} · ${approval.kind}`,
      detail:
        approval.details === "" ? undefined : truncate(approval.details, 200),
      approval,
    })),
    { title, placeHolder: "Which request?", matchOnDescription: true },
  );
  return picked?.approval;
}
