/**
 * RunnerCalls over any Convex client with the ControlPlane's call shape (the
 * extension's ControlPlane, or a ConvexClient in tests): the one place the
 * runner's identity (runner id, repository, host) is put into its calls.
 */
import type {
  FunctionArgs,
  FunctionReference,
  FunctionReturnType,
} from "convex/server";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import type { RunnerCalls } from "./pipeline";

export interface ConvexCalls {
  query<Q extends FunctionReference<"query">>(
    ref: Q,
    args: FunctionArgs<Q>,
  ): Promise<FunctionReturnType<Q>>;
  mutation<M extends FunctionReference<"mutation">>(
    ref: M,
    args: FunctionArgs<M>,
  ): Promise<FunctionReturnType<M>>;
  action<A extends FunctionReference<"action">>(
    ref: A,
    args: FunctionArgs<A>,
  ): Promise<FunctionReturnType<A>>;
}

export type RunnerIdentity = {
  projectId: Id<"projects">;
  /** Unique per runner process (VS Code window). */
  runnerId: string;
  repository: string;
  /** "local" or the DOCKER_HOST the runner's engine is at. */
  host: string;
};

export function runnerCalls(
  client: ConvexCalls,
  runner: RunnerIdentity,
): RunnerCalls {
  const { runnerId } = runner;
  return {
    claimWork: () =>
      client.mutation(api.sandboxes.claimWork, {
        projectId: runner.projectId,
        runnerId,
        repository: runner.repository,
        host: runner.host,
      }),
    listLive: () =>
      client.query(api.sandboxes.listLive, { projectId: runner.projectId }),
    reportStage: (sandboxId, report) =>
      client.mutation(api.sandboxes.reportStage, {
        sandboxId,
        runnerId,
        ...report,
      }),
    reportLifecycle: async (sandboxId, outcome, note) => {
      await client.mutation(api.sandboxes.reportLifecycle, {
        sandboxId,
        runnerId,
        outcome,
        note,
      });
    },
    issueToken: async (sandboxId) =>
      (await client.action(api.sandboxes.issueToken, { sandboxId, runnerId }))
        .token,
  };
}
