/**
 * After connecting: who is signed in and which project the window works on
 * (`me.get`, `orgs.listMine`, `projects.list`). The first org and its first
 * project by default; a project remembered for this workspace wins if the
 * person can still see it.
 */
import type { FunctionArgs, FunctionReturnType } from "convex/server";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import type { Query, Session } from "../contracts";

export type QueryFn = <Q extends Query>(
  ref: Q,
  args: FunctionArgs<Q>,
) => Promise<FunctionReturnType<Q>>;

/** Where the session lives; the loader adds who and which project. */
export type SessionBase = Pick<
  Session,
  "backend" | "url" | "siteUrl" | "dataDir"
>;

/** Nothing to work on (no org, no project): reconnecting will not change it. */
export class SessionError extends Error {
  override name = "SessionError";
}

/** At most this many orgs are searched for a remembered project. */
const MAX_ORGS_SEARCHED = 10;

export async function loadSession(
  query: QueryFn,
  base: SessionBase,
  preferredProjectId?: string,
): Promise<Session> {
  const me = await query(api.me.get, {});
  if (me.kind !== "user") {
    throw new SessionError(
      `Signed in as the agent “${me.name}”; the window needs a person's token (sbu_…).`,
    );
  }
  const orgs = await query(api.orgs.listMine, {});
  if (orgs.length === 0) {
    throw new SessionError(
      `${me.name} is not a member of any org on ${base.url}; ask an org admin to add you.`,
    );
  }
  let fallback: { orgId: Id<"orgs">; project: ProjectDoc } | null = null;
  for (const org of orgs.slice(0, MAX_ORGS_SEARCHED)) {
    const projects = await query(api.projects.list, { orgId: org.orgId });
    const preferred = projects.find(
      (project) => project._id === preferredProjectId,
    );
    if (preferred !== undefined) {
      return toSession(base, me, org.orgId, preferred);
    }
    const first = projects[0];
    if (fallback === null && first !== undefined) {
      fallback = { orgId: org.orgId, project: first };
    }
    // Without a remembered project the first org with a project is the answer.
    if (fallback !== null && preferredProjectId === undefined) break;
  }
  if (fallback === null) {
    throw new SessionError(
      `No project in ${orgs[0]?.name ?? "your org"} on ${base.url} yet; create one first.`,
    );
  }
  return toSession(base, me, fallback.orgId, fallback.project);
}

type ProjectDoc = FunctionReturnType<typeof api.projects.list>[number];
type Me = Extract<FunctionReturnType<typeof api.me.get>, { kind: "user" }>;

function toSession(
  base: SessionBase,
  me: Me,
  orgId: string,
  project: ProjectDoc,
): Session {
  return {
    backend: base.backend,
    url: base.url,
    siteUrl: base.siteUrl,
    ...(base.dataDir === undefined ? {} : { dataDir: base.dataDir }),
    userId: me.userId,
    userName: me.name,
    orgId,
    projectId: project._id,
    projectKey: project.key,
  };
}
