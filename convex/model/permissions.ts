/**
 * The one table of who may do what. Roles grant permissions inside an org;
 * agent tokens carry a subset of the agent-grantable permissions as scopes.
 */
import type { Role } from "../validators";

export const PERMISSIONS = [
  "org:read",
  "org:manage",
  "members:manage",
  "projects:read",
  "projects:manage",
  "agents:read",
  "agents:manage",
  "tokens:manage",
  "tasks:read",
  "tasks:write",
  "tasks:claim",
  "threads:read",
  "threads:post",
  "approvals:read",
  "approvals:request",
  "approvals:resolve",
  "audit:read",
  "sandboxes:request",
  "sandboxes:run",
  "workflows:manage",
  "workflows:run",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const VIEWER: readonly Permission[] = [
  "org:read",
  "projects:read",
  "agents:read",
  "tasks:read",
  "threads:read",
  "approvals:read",
];
const MEMBER: readonly Permission[] = [
  ...VIEWER,
  "tasks:write",
  "tasks:claim",
  "threads:post",
  "approvals:request",
  "approvals:resolve",
  "sandboxes:request",
  // Running sandboxes (Docker and git on the runner's machine) is for people's
  // own VS Code windows; agents only ask for one.
  "sandboxes:run",
  "workflows:manage",
  // Agents may start runs and report their steps' results.
  "workflows:run",
];
const ADMIN: readonly Permission[] = [
  ...MEMBER,
  "projects:manage",
  "agents:manage",
  "tokens:manage",
  "members:manage",
  "audit:read",
];
const OWNER: readonly Permission[] = [...ADMIN, "org:manage"];

const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  viewer: new Set(VIEWER),
  member: new Set(MEMBER),
  admin: new Set(ADMIN),
  owner: new Set(OWNER),
};

/** Ordered from least to most powerful, for "at least this role" checks. */
export const ROLE_ORDER: readonly Role[] = [
  "viewer",
  "member",
  "admin",
  "owner",
];

export function roleAtLeast(role: Role, minimum: Role): boolean {
  return ROLE_ORDER.indexOf(role) >= ROLE_ORDER.indexOf(minimum);
}

export function roleGrants(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].has(permission);
}

/** What an agent token may ever carry: agents never manage orgs, people or tokens. */
export const AGENT_GRANTABLE: readonly Permission[] = [
  "org:read",
  "projects:read",
  "agents:read",
  "tasks:read",
  "tasks:write",
  "tasks:claim",
  "threads:read",
  "threads:post",
  "approvals:read",
  "approvals:request",
  "sandboxes:request",
  "workflows:run",
];

export function isPermission(value: string): value is Permission {
  return (PERMISSIONS as readonly string[]).includes(value);
}

export function isAgentGrantable(value: string): value is Permission {
  return (AGENT_GRANTABLE as readonly string[]).includes(value);
}
