/**
 * Native agents' model for the Convex tests: the scripted Messages API
 * server (test/support/scriptedModel.ts) started and named in the
 * deployment's env, and the env cleared again afterwards.
 */
import {
  noSideRequests,
  ScriptedModel,
  type Turn,
} from "../support/scriptedModel";
import { setDeploymentEnv, type Backend } from "./world";

const MODEL_ENV = [
  "ANTHROPIC_BASE_URL",
  "ANTHROPIC_API_KEY",
  "SWITCHBOARD_NATIVE_MODEL",
] as const;

/** `modelName` set: SWITCHBOARD_NATIVE_MODEL; absent: the default model. */
export async function startScriptedModel(
  t: Backend,
  script: Turn[],
  modelName?: string,
): Promise<ScriptedModel> {
  // One-message requests without tools look like Claude Code's side requests.
  const model = await ScriptedModel.start(script, {
    isSideRequest: noSideRequests,
  });
  await setDeploymentEnv(t, "ANTHROPIC_BASE_URL", model.baseUrl);
  await setDeploymentEnv(t, "ANTHROPIC_API_KEY", "test-key");
  if (modelName !== undefined) {
    await setDeploymentEnv(t, "SWITCHBOARD_NATIVE_MODEL", modelName);
  }
  return model;
}

export async function clearModelEnv(t: Backend): Promise<void> {
  for (const name of MODEL_ENV) await setDeploymentEnv(t, name, undefined);
}
