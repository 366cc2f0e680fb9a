/**
 * Who may use a store's database file, and the small file-system helpers that
 * go with it (see the caveats of the VFS in store.ts).
 */
import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { StoreInUseError } from "./storeErrors";

/**
 * Makes this process the only one using `file`, so a `.lock` directory left by a killed
 * process can be removed safely. The data-directory lock (discovery.ts) is the main
 * guard; this one protects the file even when a store is opened directly (tests, tools).
 */
export function claimOwnership(file: string): { release(): void } {
  const ownerPath = `${file}.owner`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(ownerPath, String(process.pid), { flag: "wx" });
    } catch (error) {
      if (!isErrno(error, "EEXIST")) throw error;
      const pid = Number.parseInt(readIfExists(ownerPath) ?? "", 10);
      if (Number.isInteger(pid) && pid > 0 && isProcessAlive(pid)) {
        throw new StoreInUseError(
          pid === process.pid
            ? `${file} is already open in this process`
            : `${file} is in use by process ${pid}; stop it first (or delete ${ownerPath} if that pid is not a Switchboard backend)`,
        );
      }
      rmSync(ownerPath, { force: true });
      continue;
    }
    // We own the file: any VFS lock directory is a leftover of a dead owner.
    rmSync(`${file}.lock`, { recursive: true, force: true });
    let released = false;
    return {
      release() {
        if (released) return;
        released = true;
        if (readIfExists(ownerPath) === String(process.pid))
          unlinkSync(ownerPath);
      },
    };
  }
  throw new StoreInUseError(
    `Could not take ownership of ${file} (${ownerPath} keeps changing)`,
  );
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return isErrno(error, "EPERM");
  }
}

export function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    if (isErrno(error, "ENOENT")) return undefined;
    throw error;
  }
}

function isErrno(error: unknown, code: string): boolean {
  return (
    error instanceof Error && (error as NodeJS.ErrnoException).code === code
  );
}
