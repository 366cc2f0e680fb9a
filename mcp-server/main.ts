/**
 * switchboard-mcp: the stdio MCP server through which Claude Code agents work
 * on Switchboard, and its `setup-claude` command.
 *
 *   switchboard-mcp                 serve MCP on stdio (env: SWITCHBOARD_URL or
 *                                   SWITCHBOARD_DATA_DIR, SWITCHBOARD_TOKEN)
 *   switchboard-mcp setup-claude    register it with Claude Code for a project
 *   switchboard-mcp check           connect with the token and say who it is
 */
import { runCheck } from "./check";
import { runSetupClaude, SETUP_USAGE } from "./setup/setupClaude";
import { runStdio } from "./stdio";

const USAGE = `usage: switchboard-mcp [setup-claude] [options]
  (no command)   serve MCP on stdio for Claude Code
                 env: SWITCHBOARD_TOKEN (the agent's sba_ token), and SWITCHBOARD_URL
                 [+ SWITCHBOARD_SITE_URL] or SWITCHBOARD_DATA_DIR (local backend)
  setup-claude   mint an agent token and register this server with Claude Code
  check          connect with the token (same env) and print who it belongs to

${SETUP_USAGE}`;

async function main(argv: string[]): Promise<number | null> {
  const [command, ...rest] = argv;
  if (command === "setup-claude") {
    return await runSetupClaude(
      rest,
      process.env,
      (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
      (text) => process.stderr.write(`${text}\n`),
    );
  }
  if (command === "check") {
    return await runCheck(
      process.env,
      (line) => process.stdout.write(`${line}\n`),
      (line) => process.stderr.write(`${line}\n`),
    );
  }
  if (command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command !== undefined) {
    process.stderr.write(
      `switchboard-mcp: unknown command ${command}\n${USAGE}`,
    );
    return 2;
  }
  await runStdio(process.env);
  return null;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== null) process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `switchboard-mcp: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
