/**
 * Query arguments that several places must build identically (the Convex
 * client keys subscriptions by their arguments): the board's first page per
 * column and the people directory, read by the board's hooks, by its prewarm
 * (board/firstPages.ts) and by the host's preload (extension/webviews/
 * boardPreload.ts). Pure: no React, so the extension host can import it.
 */
import type { TaskStatus } from "../../convex/validators";
import { FIRST_PAGE } from "../board/boardModel";
import { asId } from "./ids";

export function firstPageArgs(projectId: string, status: TaskStatus) {
  return {
    projectId: asId<"projects">(projectId),
    status,
    paginationOpts: { numItems: FIRST_PAGE, cursor: null },
  };
}

export function peopleArgs(projectId: string) {
  return { projectId: asId<"projects">(projectId) };
}
