/**
 * Steps whose executor is a human approval: the run asks a person (the
 * summary rendered from inputs and earlier outputs), an approval settles the
 * step with the decision as its output for later conditions, a rejection
 * fails it under its failure policy, and cancelling the run withdraws it.
 * Decisions reach the run through the scheduler, as in production.
 */
import { describe, expect, test } from "vitest";
import { api, internal } from "../../convex/_generated/api";
import type { Doc, Id } from "../../convex/_generated/dataModel";
import { advance, complete, run, T0 } from "./workflowRunSupport";
import {
  as,
  freshWorld,
  mustRead,
  useFakeClock,
  type Backend,
  type World,
} from "./world";

useFakeClock(T0);

const RELEASE = `name: Release
inputs:
  version: { default: "1.2" }
steps:
  build:
    executor: external
    agent: agent-a
    prompt: Build {{ inputs.version }}
  signoff:
    executor: approval
    needs: build
    summary: "Ship {{ inputs.version }} built as {{ steps.build.output.artifact }}?"
  publish:
    executor: external
    agent: agent-a
    needs: signoff
    if: "steps.signoff.output.approved == true"
    prompt: Publish
`;

async function startRelease(t: Backend, world: World, source = RELEASE) {
  // Advances are run directly (workflowRunSupport's `advance`): the
  // harnesses' scheduler would also fire the approvals' expiry jobs, hours
  // ahead on the fake clock.
  const runId = await run(t, world, source);
  await complete(t, world.agent, runId, "build", {
    status: "succeeded",
    output: { artifact: "app-1.2.tgz" },
  });
  await advance(t, runId);
  return runId;
}

async function steps(
  t: Backend,
  world: World,
  runId: Id<"workflowRuns">,
): Promise<Record<string, Doc<"workflowSteps">>> {
  const detail = await as(t, world.a.viewer).query(api.workflowRuns.get, {
    runId,
  });
  return Object.fromEntries(detail.steps.map((row) => [row.stepId, row]));
}

async function decide(
  t: Backend,
  world: World,
  approvalId: Id<"approvals">,
  decision: "approve" | "reject",
  reason?: string,
) {
  await as(t, world.a.admin).mutation(api.approvals.resolve, {
    approvalId,
    decision,
    ...(reason === undefined ? {} : { reason }),
  });
  // The decision scheduled this hook (model/approvals.ts); run it now.
  const jobs = await t.run(
    async (ctx) => await ctx.db.system.query("_scheduled_functions").collect(),
  );
  expect(jobs.some((job) => job.name.includes("approvalDecided"))).toBe(true);
  await t.mutation(internal.workflowRuns.approvalDecided, { approvalId });
}

describe("approval steps", () => {
  test("ask a person with the rendered summary; approval settles the step and the run goes on", async () => {
    const { t, world } = await freshWorld();
    const runId = await startRelease(t, world);
    const { signoff } = await steps(t, world, runId);
    expect(signoff).toMatchObject({ state: "running", attempt: 1 });
    const approval = await mustRead(t, "approvals", signoff!.approvalId!);
    expect(approval).toMatchObject({
      kind: "workflow_step",
      status: "pending",
      requesterId: world.a.member.userId,
    });
    expect(JSON.stringify(approval)).toContain(
      "Ship 1.2 built as app-1.2.tgz?",
    );

    await decide(t, world, approval._id, "approve", "Looks good");
    const after = await steps(t, world, runId);
    expect(after.signoff!.state).toBe("succeeded");
    expect(JSON.parse(after.signoff!.output!)).toEqual({
      approved: true,
      reason: "Looks good",
    });
    // The condition read the decision: publish was dispatched.
    expect(after.publish!.state).toBe("running");
    expect(after.publish!.taskId).toBeDefined();
  });

  test("a rejection fails the step and, by default, the run", async () => {
    const { t, world } = await freshWorld();
    const runId = await startRelease(t, world);
    const { signoff } = await steps(t, world, runId);
    await decide(t, world, signoff!.approvalId!, "reject", "Not this week");

    const after = await steps(t, world, runId);
    expect(after.signoff).toMatchObject({
      state: "failed",
      error: "approval rejected: Not this week",
    });
    expect(after.publish!.state).toBe("skipped");
    expect((await mustRead(t, "workflowRuns", runId)).status).toBe("failed");
  });

  test("with on_failure: continue, a rejection skips what needs the approval and the run succeeds", async () => {
    const { t, world } = await freshWorld();
    const source = RELEASE.replace(
      "    summary:",
      "    on_failure: continue\n    summary:",
    );
    const runId = await startRelease(t, world, source);
    const { signoff } = await steps(t, world, runId);
    await decide(t, world, signoff!.approvalId!, "reject", "No");

    const after = await steps(t, world, runId);
    expect(after.signoff!.state).toBe("failed");
    // The condition is false (no approval output), so publish is skipped,
    // and a failure that does not fail the run leaves it succeeded.
    expect(after.publish!.state).toBe("skipped");
    expect((await mustRead(t, "workflowRuns", runId)).status).toBe("succeeded");
  });

  test("cancelling the run withdraws the pending approval", async () => {
    const { t, world } = await freshWorld();
    const runId = await startRelease(t, world);
    const { signoff } = await steps(t, world, runId);
    await as(t, world.a.member).mutation(api.workflowRuns.cancel, { runId });

    expect(await mustRead(t, "approvals", signoff!.approvalId!)).toMatchObject({
      status: "cancelled",
      reason: "The workflow run was cancelled.",
    });
    const after = await steps(t, world, runId);
    expect(after.signoff).toMatchObject({
      state: "failed",
      error: "the run was cancelled",
    });
    expect(after.publish!.state).toBe("skipped");
    expect((await mustRead(t, "workflowRuns", runId)).status).toBe("cancelled");
  });
});
