/**
 * Child-process entry for one in-process measurement (see inProcess.ts):
 *   node --import tsx bench/lib/partMain.ts <convex-test|engine|sqlite> <durationMs>
 * Prints `RESULT <json>` on stdout.
 */
import { convexTestPart, enginePart, sqlitePart } from "./inProcess";
import { installCleanupHandlers } from "./processes";

const PARTS: Record<string, (durationMs: number) => Promise<unknown>> = {
  "convex-test": convexTestPart,
  engine: enginePart,
  sqlite: sqlitePart,
};

async function main(): Promise<void> {
  installCleanupHandlers();
  const [name = "", duration = "2000"] = process.argv.slice(2);
  const part = PARTS[name];
  if (part === undefined)
    throw new Error(
      `unknown part ${name}; one of ${Object.keys(PARTS).join(", ")}`,
    );
  const result = await part(Number(duration));
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
