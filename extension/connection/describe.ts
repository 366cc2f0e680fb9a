/**
 * The words for the connection: status bar text and tooltip, the Show Status
 * message, and the state details the plane publishes. Pure, so they are tested
 * and stay consistent between the places that show them.
 */
import type { ConnectionState, Session } from "../contracts";

export function backendLabel(
  session: Pick<Session, "backend" | "url">,
): string {
  return session.backend === "local"
    ? `the local backend at ${session.url}`
    : session.url;
}

export function connectedDetail(session: Session): string {
  return `Connected to ${backendLabel(session)} as ${session.userName}, project ${session.projectKey}.`;
}

export interface StatusBarContent {
  readonly text: string;
  readonly tooltip: string;
  /** Shown with the warning background: the person has to act. */
  readonly warning: boolean;
}

const SHORT: Record<ConnectionState["status"], string> = {
  starting: "starting…",
  connected: "connected",
  reconnecting: "reconnecting…",
  signedOut: "signed out",
  failed: "not connected",
};

export function statusBarContent(
  state: ConnectionState,
  session: Session | null,
): StatusBarContent {
  const label =
    state.status === "connected" && session !== null
      ? `${session.projectKey} (${session.backend})`
      : SHORT[state.status];
  return {
    text: `$(plug) Switchboard: ${label}`,
    tooltip: `Switchboard: ${state.detail}\nClick for connection status.`,
    warning: state.status === "failed" || state.status === "signedOut",
  };
}

export interface StatusFacts {
  readonly state: ConnectionState;
  readonly session: Session | null;
  /** The local data directory when the local backend is configured. */
  readonly dataDir?: string;
  /** The configured remote URL when one is. */
  readonly backendUrl?: string;
}

/**
 * One line for the Show Status notification: it starts with "Switchboard:"
 * (what people and the e2e smoke test look for) and says what to do when
 * something is wrong. Notifications are single-line, so facts are joined.
 */
export function statusMessage(facts: StatusFacts): string {
  const { state, session } = facts;
  const parts: string[] = [
    `Switchboard: ${SHORT[state.status].replace(/…$/, "")}.`,
  ];
  if (state.status === "connected" && session !== null) {
    parts.push(
      `Backend: ${backendLabel(session)}.`,
      `Signed in as ${session.userName}; project ${session.projectKey}.`,
    );
  } else {
    parts.push(state.detail);
  }
  const dataDir = session?.dataDir ?? facts.dataDir;
  if (
    dataDir !== undefined &&
    (session === null || session.backend === "local")
  ) {
    parts.push(`Data: ${dataDir}.`);
  } else if (session === null && facts.backendUrl !== undefined) {
    parts.push(`Backend URL: ${facts.backendUrl}.`);
  }
  return parts.join(" ");
}
