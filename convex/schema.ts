import { defineSchema } from "convex/server";
import { agentTables } from "./tables/agents";
import { auditTables } from "./tables/audit";
import { githubTables } from "./tables/github";
import { identityTables } from "./tables/identity";
import { nativeSessionTables } from "./tables/nativeSessions";
import { sandboxTables } from "./tables/sandboxes";
import { usageTables } from "./tables/usage";
import { workTables } from "./tables/work";
import { workflowTables } from "./tables/workflows";

export default defineSchema({
  ...identityTables,
  ...agentTables,
  ...workTables,
  ...auditTables,
  ...usageTables,
  ...sandboxTables,
  ...githubTables,
  ...workflowTables,
  ...nativeSessionTables,
});
