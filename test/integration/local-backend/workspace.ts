/** The bootstrapped owner's project on a Switchboard backend, and whole-list reads. */
import type { ConvexHttpClient } from "convex/browser";
import type { PaginationResult } from "convex/server";
import { api } from "../../../convex/_generated/api";
import type { Doc, Id } from "../../../convex/_generated/dataModel";
import type { Backend } from "./backendProcess";

export type Workspace = {
  jwt: string;
  orgId: Id<"orgs">;
  projectId: Id<"projects">;
};

/** Signs in as the owner and finds the project created on first start. */
export async function ownerWorkspace(backend: Backend): Promise<Workspace> {
  const jwt = await backend.signIn();
  const client = backend.httpClient(jwt);
  const orgs = await client.query(api.orgs.listMine, {});
  const org = orgs[0];
  if (org === undefined) throw new Error("The bootstrap made no org.");
  const projects = await client.query(api.projects.list, { orgId: org.orgId });
  const project = projects[0];
  if (project === undefined) throw new Error("The bootstrap made no project.");
  return { jwt, orgId: org.orgId, projectId: project._id };
}

/** Every task of a project in one status, page by page. */
export async function listAllTasks(
  client: ConvexHttpClient,
  projectId: Id<"projects">,
  status: Doc<"tasks">["status"] = "todo",
): Promise<Doc<"tasks">[]> {
  const tasks: Doc<"tasks">[] = [];
  let cursor: string | null = null;
  for (;;) {
    const page: PaginationResult<Doc<"tasks">> = await client.query(
      api.tasks.list,
      {
        projectId,
        status,
        paginationOpts: { numItems: 100, cursor },
      },
    );
    tasks.push(...page.page);
    if (page.isDone) return tasks;
    cursor = page.continueCursor;
  }
}

/** How many times each title occurs. */
export function countTitles(
  tasks: readonly { title: string }[],
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { title } of tasks)
    counts.set(title, (counts.get(title) ?? 0) + 1);
  return counts;
}
