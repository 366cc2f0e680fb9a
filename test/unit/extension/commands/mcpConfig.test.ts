import {
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { writeMcpJson } from "../../../../mcp-server/setup/registerClaude";
import {
  mcpJsonState,
  nodeLaunch,
  PERMISSION_PROMPT_FLAG,
  serverLaunch,
} from "../../../../extension/commands/mcpConfig";
import type { Session } from "../../../../extension/contracts";

const base: Session = {
  backend: "local",
  url: "http://127.0.0.1:3210",
  siteUrl: "http://127.0.0.1:3211",
  userId: "u1",
  userName: "Ada",
  orgId: "o1",
  projectId: "p1",
  projectKey: "SB",
  dataDir: "/home/ada/.switchboard/local",
};
const node = {
  execPath: "/usr/bin/node",
  electron: undefined,
  nodeOnPath: true,
};

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "sb-mcpjson-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0))
    rmSync(dir, { recursive: true, force: true });
});

describe("the server launch line", () => {
  test("local backend: node, the bundled server, the data directory and the token", () => {
    expect(
      serverLaunch({
        session: base,
        extensionPath: "/ext",
        runtime: node,
        token: "sba_x",
      }),
    ).toEqual({
      command: "node",
      args: ["/ext/dist/mcp-server.js"],
      env: {
        SWITCHBOARD_DATA_DIR: "/home/ada/.switchboard/local",
        SWITCHBOARD_TOKEN: "sba_x",
      },
    });
  });

  test("remote backend: deployment and site URLs", () => {
    const launch = serverLaunch({
      session: {
        ...base,
        backend: "remote",
        url: "https://a.convex.cloud",
        siteUrl: "https://a.convex.site",
        dataDir: undefined,
      },
      extensionPath: "/ext",
      runtime: node,
      token: "sba_y",
    });
    expect(launch.env).toEqual({
      SWITCHBOARD_URL: "https://a.convex.cloud",
      SWITCHBOARD_SITE_URL: "https://a.convex.site",
      SWITCHBOARD_TOKEN: "sba_y",
    });
  });

  test("a local session without a data directory is refused", () => {
    expect(() =>
      serverLaunch({
        session: { ...base, dataDir: undefined },
        extensionPath: "/e",
        runtime: node,
        token: "t",
      }),
    ).toThrow(/data directory/);
  });

  test("node from PATH first; else the host's own binary, as node", () => {
    const electron = { execPath: "/opt/VSCode/code", electron: "29.4.0" };
    expect(nodeLaunch({ ...electron, nodeOnPath: true })).toEqual({
      command: "node",
      env: {},
    });
    expect(nodeLaunch({ ...electron, nodeOnPath: false })).toEqual({
      command: "/opt/VSCode/code",
      env: { ELECTRON_RUN_AS_NODE: "1" },
    });
    expect(nodeLaunch({ ...node, nodeOnPath: false })).toEqual({
      command: "/usr/bin/node",
      env: {},
    });
    expect(PERMISSION_PROMPT_FLAG).toBe(
      "--permission-prompt-tool mcp__switchboard__approval_prompt",
    );
  });
});

describe(".mcp.json", () => {
  test("states: absent, other servers only, ours; invalid JSON is refused", () => {
    const dir = tempDir();
    expect(mcpJsonState(dir)).toBe("absent");
    writeFileSync(
      join(dir, ".mcp.json"),
      JSON.stringify({ mcpServers: { github: {} } }),
    );
    expect(mcpJsonState(dir)).toBe("withoutSwitchboard");
    writeMcpJson(
      dir,
      serverLaunch({
        session: base,
        extensionPath: "/ext",
        runtime: node,
        token: "sba_z",
      }),
    );
    expect(mcpJsonState(dir)).toBe("withSwitchboard");
    const written = JSON.parse(
      readFileSync(join(dir, ".mcp.json"), "utf8"),
    ) as {
      mcpServers: Record<string, { type: string; env: Record<string, string> }>;
    };
    expect(Object.keys(written.mcpServers)).toEqual(["github", "switchboard"]);
    expect(written.mcpServers.switchboard?.type).toBe("stdio");
    expect(statSync(join(dir, ".mcp.json")).mode & 0o777).toBe(0o600);
    writeFileSync(join(dir, ".mcp.json"), "{ nope");
    expect(() => mcpJsonState(dir)).toThrow(/not valid JSON/);
  });
});
