/**
 * What other code (tests, benchmarks, the extension) uses to run the MCP
 * server in process: `createServer(configFromEnv())` and connect any MCP
 * transport, e.g. the SDK's InMemoryTransport.
 */
export { configFromEnv, deriveSiteUrl, DEFAULTS } from "./config";
export type { BackendLocation, McpServerConfig } from "./config";
export { createServer, SERVER_NAME } from "./server";
export type { SwitchboardMcpServer } from "./server";
export { TOOLS } from "./registry";
export { publishTools } from "./tools";
export { PERMISSION_PROMPT_FLAG } from "./setup/setupClaude";
