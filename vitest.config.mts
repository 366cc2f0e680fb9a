import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        // Convex functions run under convex-test in the edge runtime, like Convex's own isolate.
        test: {
          name: "convex",
          include: ["test/convex/**/*.test.ts"],
          environment: "edge-runtime",
          server: { deps: { inline: ["convex-test"] } },
        },
      },
      {
        // The same test bodies again, against the real local backend through the official clients.
        test: {
          name: "conformance",
          include: ["test/convex/**/*.test.ts"],
          environment: "node",
          env: { SWITCHBOARD_HARNESS: "local" },
          testTimeout: 30_000,
        },
      },
      {
        // The local backend as separate processes and real clients: protocol, crash, CLI.
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The MCP server (mcp-server/) against a real local backend: tools in process and over stdio.
        test: {
          name: "mcp",
          include: ["test/mcp/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The real Claude Code CLI against a local scripted model server (heavier tier: npm run test:e2e).
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
      {
        // Sandboxes against a real Docker engine and the local image from
        // scripts/build-sandbox-image.sh (heavier tier: npm run test:sandbox).
        test: {
          name: "sandbox",
          include: ["test/sandbox/**/*.test.ts"],
          environment: "node",
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // One Docker engine: files run one after another.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
        },
      },
    ],
  },
});
