/**
 * `switchboard-mcp check`: connects the way the MCP server would and says who
 * the token belongs to, in one line. Sandboxes use it as their health check
 * (inside the container: backend reachable, token accepted); people use it to
 * debug a configuration before Claude Code does.
 */
import { api } from "../convex/_generated/api";
import { configFromEnv } from "./config";
import { Connection } from "./connection";

type Context = {
  me: { kind: string; name: string; scopes?: string[] };
  project: { key: string };
};

export async function runCheck(
  env: NodeJS.ProcessEnv,
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  let connection: Connection | undefined;
  try {
    const config = configFromEnv(env);
    connection = new Connection(config, () => undefined);
    const identity = await connection.identity();
    if (identity.kind !== "agent") {
      out(
        `switchboard-mcp check: ok, signed in as a person (${identity.subject})`,
      );
      return 0;
    }
    const context = (await connection.query(
      api.agentContext.get,
      {},
    )) as Context;
    out(
      `switchboard-mcp check: ok, agent "${context.me.name}" in project ${context.project.key} with ${identity.scopes?.length ?? 0} scopes`,
    );
    return 0;
  } catch (error) {
    err(
      `switchboard-mcp check: failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 1;
  } finally {
    await connection?.close();
  }
}
