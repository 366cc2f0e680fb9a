// switchboard-mcp: the stdio MCP server for Claude Code. Not implemented yet.
process.stderr.write(
  "usage: switchboard-mcp (stdio MCP server for Claude Code) - not implemented yet\n",
);
process.exitCode = 2;
