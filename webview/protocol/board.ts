/** Messages of the Task Board view (`board/…`). */
import { TASK_STATUSES } from "../../convex/model/taskStatus";
import type { TaskStatus } from "../../convex/validators";
import {
  isEither,
  isLiteral,
  isNonEmptyString,
  isObject,
  isOneOf,
  isString,
} from "./guards";
import { defineNotification, defineRequest } from "./messages";

export interface MoveTaskParams {
  readonly taskId: string;
  readonly toStatus: TaskStatus;
}

/**
 * An illegal move (state machine, unfinished dependency, no permission) is an
 * expected outcome, not a transport failure: it comes back as `ok: false` with a
 * message the board shows next to the card, while `RpcError` stays for real faults.
 */
export type MoveTaskResult =
  { readonly ok: true } | { readonly ok: false; readonly message: string };

/** webview -> host: a card was dropped in another column (or moved from the keyboard). */
export const boardTaskMove = defineRequest<MoveTaskParams, MoveTaskResult>(
  "board/task/move",
  {
    params: isObject({
      taskId: isNonEmptyString,
      toStatus: isOneOf(TASK_STATUSES),
    }),
    result: isEither(
      isObject({ ok: isLiteral(true) }),
      isObject({ ok: isLiteral(false), message: isString }),
    ),
  },
);

/** webview -> host: open the Task detail panel for this card. */
export const boardTaskOpen = defineNotification<{ taskId: string }>(
  "board/task/open",
  isObject({ taskId: isNonEmptyString }),
);
