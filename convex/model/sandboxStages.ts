/**
 * The rules of a sandbox's life that both sides need: the stage order, the
 * branch name, which statuses are work for a runner and which transitions
 * people and agents may ask for. Pure (no database), so the extension's
 * pipeline and webviews import it too.
 */
import type {
  SandboxStage,
  SandboxStageRecord,
  SandboxStatus,
} from "../validators";

export const SANDBOX_STAGES: readonly SandboxStage[] = [
  "worktree",
  "container",
  "configuration",
  "dependencies",
  "mcp",
  "health",
];

export const STAGE_LABELS: Readonly<Record<SandboxStage, string>> = {
  worktree: "Worktree",
  container: "Container provision",
  configuration: "Configuration",
  dependencies: "Dependency install",
  mcp: "MCP setup",
  health: "Health check",
};

/** Statuses that wait for a runner to pick them up. */
export const RUNNER_WORK: readonly SandboxStatus[] = [
  "requested",
  "stopping",
  "resuming",
  "cleaning",
];

/** Statuses after which the sandbox holds no container; a new one may be opened. */
export const ENDED: readonly SandboxStatus[] = ["cleaned", "kept"];

export function isEnded(status: SandboxStatus): boolean {
  return ENDED.includes(status);
}

/**
 * Whether `runnerId` may claim a sandbox's pending work now: nobody holds the
 * claim, its holder went silent (expired), or it is this runner's already.
 */
export function claimOpenTo(
  claim: { id: string; expiresAt: number } | undefined,
  runnerId: string,
  now: number,
): boolean {
  return claim === undefined || claim.expiresAt <= now || claim.id === runnerId;
}

/** What a person or agent may ask for, from which statuses. */
export const REQUESTABLE: Readonly<
  Record<"retry" | "stop" | "resume" | "cleanup", readonly SandboxStatus[]>
> = {
  retry: ["failed", "missing"],
  stop: ["ready"],
  resume: ["stopped"],
  cleanup: ["requested", "ready", "failed", "stopped", "missing", "kept"],
};

const SLUG_MAX = 40;

/** `switchboard/SB-12-fix-login-redirect`: the one place branch names are made. */
export function sandboxBranch(taskKey: string, title: string): string {
  const slug = title
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, SLUG_MAX)
    .replace(/-+$/, "");
  return slug === ""
    ? `switchboard/${taskKey}`
    : `switchboard/${taskKey}-${slug}`;
}

/** Fresh stage records for a run that starts at `from` (earlier stages stay done). */
export function stagesFrom(
  from: SandboxStage,
  previous: readonly SandboxStageRecord[] = [],
): SandboxStageRecord[] {
  const start = SANDBOX_STAGES.indexOf(from);
  return SANDBOX_STAGES.map((stage, index) => {
    const before = previous.find((record) => record.stage === stage);
    if (index < start && before?.state === "done") return before;
    return { stage, state: "pending" };
  });
}

export function nextStage(stage: SandboxStage): SandboxStage | null {
  return SANDBOX_STAGES[SANDBOX_STAGES.indexOf(stage) + 1] ?? null;
}
