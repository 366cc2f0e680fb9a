/**
 * Makes a signing key for a deployment's own JWTs (see convex/auth.config.ts)
 * and prints the environment variables to set on it, for example on Convex
 * cloud: `npx tsx scripts/keys.ts` then run the `npx convex env set` lines.
 * The private key is printed once, to stdout, and kept nowhere else.
 */
import { exportJWK, exportPKCS8, generateKeyPair } from "jose";

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
    // One line, so it survives `convex env set` and .env files; the backend turns \n back.
    SWITCHBOARD_JWT_PRIVATE_KEY: (await exportPKCS8(privateKey))
      .trim()
      .replace(/\n/g, "\\n"),
    SWITCHBOARD_JWKS: JSON.stringify({ keys: [jwk] }),
  };
}

async function main(): Promise<void> {
  const keyId = `switchboard-${new Date().toISOString().slice(0, 10)}`;
  const env = await generateSigningKeyEnv(keyId);
  for (const [name, value] of Object.entries(env)) {
    process.stdout.write(`npx convex env set ${name} '${value}'\n`);
  }
}

if (process.argv[1]?.endsWith("keys.ts")) {
  main().catch((error: unknown) => {
    process.stderr.write(`keys: ${String(error)}\n`);
    process.exit(1);
  });
}
