/**
 * First start of the Switchboard app on a fresh data directory: a signing key
 * for the deployment's own JWTs (convex/auth.config.ts) in its env, and the
 * first org, owner and project (convex/bootstrap.ts), whose sign-in token is
 * kept in the data directory for the extension and the `token` command.
 * Only applies when the backend runs Switchboard's own convex/ folder.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { exportJWK, exportPKCS8, generateKeyPair } from "jose";
import type { JSONValue } from "convex/values";
import type { DataDirConfig } from "./dataDir";

export type SigningKeyEnv = {
  SWITCHBOARD_JWT_KEY_ID: string;
  SWITCHBOARD_JWT_PRIVATE_KEY: string;
  SWITCHBOARD_JWKS: string;
};

export async function generateSigningKeyEnv(
  keyId: string,
): Promise<SigningKeyEnv> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", {
    extractable: true,
  });
  const jwk = {
    ...(await exportJWK(publicKey)),
    kid: keyId,
    alg: "RS256",
    use: "sig",
  };
  return {
    SWITCHBOARD_JWT_KEY_ID: keyId,
    // One line, so it survives `convex env set` and .env files; the app turns \n back.
    SWITCHBOARD_JWT_PRIVATE_KEY: (await exportPKCS8(privateKey))
      .trim()
      .replace(/\n/g, "\\n"),
    SWITCHBOARD_JWKS: JSON.stringify({ keys: [jwk] }),
  };
}

/** Adds a signing key to the env if it has none; returns whether it changed. */
export async function ensureSigningKey(
  config: DataDirConfig,
): Promise<boolean> {
  if (config.env.SWITCHBOARD_JWT_PRIVATE_KEY !== undefined) return false;
  Object.assign(
    config.env,
    await generateSigningKeyEnv(`local-${Date.now().toString(36)}`),
  );
  return true;
}

const OWNER_TOKEN_FILE = "owner-token";

export function ownerTokenPath(dataDir: string): string {
  return join(dataDir, OWNER_TOKEN_FILE);
}

export function readOwnerToken(dataDir: string): string | null {
  const path = ownerTokenPath(dataDir);
  return existsSync(path) ? readFileSync(path, "utf8").trim() : null;
}

/** What the bootstrap needs from the engine: running internal functions as admin. */
export type AdminRunner = {
  query(udfPath: string, args: JSONValue): Promise<JSONValue>;
  action(udfPath: string, args: JSONValue): Promise<JSONValue>;
};

/**
 * Creates the first org and owner once, and makes sure the owner's token is
 * on disk (mode 0600, fsynced). If the token file is missing on a deployment
 * that is already set up (a crash between the bootstrap commit and the file
 * write, or a deleted file), a new owner token is minted instead.
 */
export async function ensureBootstrapped(
  dataDir: string,
  admin: AdminRunner,
): Promise<void> {
  if ((await admin.query("bootstrap:isDone", {})) === true) {
    if (readOwnerToken(dataDir) === null) {
      const token = await admin.action("bootstrap:mintOwnerToken", {});
      if (typeof token !== "string")
        throw new Error("bootstrap:mintOwnerToken returned no token.");
      writeOwnerToken(dataDir, token);
    }
    return;
  }
  const name = safeUserName();
  const result = (await admin.action("bootstrap:run", {
    ownerName: name,
    ownerEmail: `${name}@localhost`,
    orgName: "Local",
    projectName: "My project",
    projectKey: "SB",
  })) as { token: string };
  writeOwnerToken(dataDir, result.token);
}

/** Durably: temp file, fsync, rename, then fsync the directory. */
function writeOwnerToken(dataDir: string, token: string): void {
  const path = ownerTokenPath(dataDir);
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, "w", 0o600);
  try {
    writeSync(fd, `${token}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
  const dir = openSync(dataDir, "r");
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

function safeUserName(): string {
  try {
    return userInfo().username.replace(/[^a-zA-Z0-9._-]/g, "") || "owner";
  } catch {
    return "owner";
  }
}
