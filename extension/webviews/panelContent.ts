/**
 * What a panel shows and tells its webview, as pure functions: titles, the
 * `host/init` payload, when a session change must re-render the HTML, and the
 * CSP source to pass to html.ts. No vscode import, so all of it is unit-tested.
 */
import type { Session } from "../contracts";
import type {
  InitParams,
  ThemeKind,
  ViewContext,
  ViewKind,
  ViewTarget,
} from "../../webview/protocol/host";

/** Views that show one item and are retargeted (not duplicated) when opened again. */
const SINGLE_ITEM: ReadonlySet<ViewKind> = new Set<ViewKind>([
  "task",
  "thread",
  "approvals",
  "run",
]);

export function isSingleItem(view: ViewKind): boolean {
  return SINGLE_ITEM.has(view);
}

/** VS Code's webview panel type id (also what a serializer would register). */
export function viewTypeOf(view: ViewKind): string {
  return `switchboard.${view}`;
}

export function panelTitle(view: ViewKind, taskKey?: string): string {
  switch (view) {
    case "board":
      return "Task Board";
    case "task":
      return taskKey === undefined ? "Task" : `Task ${taskKey}`;
    case "thread":
      return "Thread";
    case "approvals":
      return "Approvals";
    case "run":
      return "Workflow Run";
    case "budgets":
      return "Budgets";
  }
}

/** `vscode.ColorThemeKind` (1 Light, 2 Dark, 3 HighContrast, 4 HighContrastLight). */
export function themeKindOf(kind: number): ThemeKind {
  switch (kind) {
    case 1:
      return "light";
    case 3:
      return "highContrast";
    case 4:
      return "highContrastLight";
    default:
      return "dark";
  }
}

/** Only the ids that are set, so targets compare and serialize predictably. */
export function normalizeTarget(target: ViewTarget | undefined): ViewTarget {
  const result: {
    taskId?: string;
    threadId?: string;
    approvalId?: string;
    runId?: string;
  } = {};
  if (target?.taskId) result.taskId = target.taskId;
  if (target?.threadId) result.threadId = target.threadId;
  if (target?.approvalId) result.approvalId = target.approvalId;
  if (target?.runId) result.runId = target.runId;
  return result;
}

export function sameTarget(a: ViewTarget, b: ViewTarget): boolean {
  return (
    a.taskId === b.taskId &&
    a.threadId === b.threadId &&
    a.approvalId === b.approvalId &&
    a.runId === b.runId
  );
}

export function viewContextOf(session: Session | null): ViewContext | null {
  if (session === null) return null;
  return {
    orgId: session.orgId,
    projectId: session.projectId,
    projectKey: session.projectKey,
    userId: session.userId,
  };
}

/**
 * What the HTML (its CSP) and the init depend on; before the first connection
 * there is no backend, so the CSP allows only this unused loopback origin.
 */
export const NO_BACKEND_URL = "http://127.0.0.1";

export function backendUrlOf(session: Session | null): string {
  return session?.url ?? NO_BACKEND_URL;
}

export function initParams(
  session: Session | null,
  theme: ThemeKind,
  target: ViewTarget,
): InitParams {
  return {
    backendUrl: backendUrlOf(session),
    signedIn: session !== null,
    theme,
    context: viewContextOf(session),
    target,
  };
}

/**
 * A panel re-renders (and its webview reloads and says ready again) when this
 * changes: the backend URL (the CSP's connect-src) or who/which project. A new
 * session object with the same content keeps the page as it is.
 */
export function renderKey(session: Session | null): string {
  return JSON.stringify([backendUrlOf(session), viewContextOf(session)]);
}
