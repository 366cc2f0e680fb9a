/**
 * Makes a signing key for a deployment's own JWTs (see convex/auth.config.ts)
 * and prints the environment variables to set on it, for example on Convex
 * cloud: `npx tsx scripts/keys.ts` then run the `npx convex env set` lines.
 * The private key is printed once, to stdout, and kept nowhere else.
 */
import { generateSigningKeyEnv } from "../local-backend/switchboardApp";

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
