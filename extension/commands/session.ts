/**
 * The signed-in session as the commands need it: present (or a clear message),
 * with its ids typed for the Convex function references.
 */
import type { Id } from "../../convex/_generated/dataModel";
import type { ControlPlane, Session } from "../contracts";
import { UserError } from "../util/errors";

export function requireSession(plane: ControlPlane): Session {
  const session = plane.session;
  if (session === null) {
    throw new UserError(
      `Switchboard is not connected (${plane.state.detail}). Run "Switchboard: Show Connection Status" for details.`,
    );
  }
  return session;
}

// The session carries ids as plain strings (it crosses into webviews as JSON);
// they are the backend's own ids, so the casts only restore the table brand.
export const projectIdOf = (session: Session) =>
  session.projectId as Id<"projects">;
export const orgIdOf = (session: Session) => session.orgId as Id<"orgs">;
