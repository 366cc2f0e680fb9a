/**
 * The connection's own commands: Show Connection Status, Switch Backend and
 * Seed Demo Data. Show Status works in every state, connected or not (it is how
 * a person finds out why nothing shows up).
 */
import * as vscode from "vscode";
import { registerCommand } from "../util/commandBoundary";
import { statusMessage } from "./describe";
import { readBackendSettings, type ConnectionEnvironment } from "./environment";
import { runSeed } from "./seed";
import {
  deriveSiteUrl,
  normalizeUrl,
  sameSettings,
  SIGN_IN_SECRET_KEY,
  type BackendSettings,
  validateBackendUrlInput,
  validateSecretInput,
} from "./settings";

const SHOW_LOG = "Show Log";
const RECONNECT = "Reconnect";
const SWITCH_BACKEND = "Switch Backend";

export function registerConnectionCommands(
  context: vscode.ExtensionContext,
  env: ConnectionEnvironment,
): void {
  const { log } = env;
  registerCommand(context, log, "switchboard.showStatus", () =>
    showStatus(env),
  );
  registerCommand(context, log, "switchboard.switchBackend", () =>
    switchBackend(context, env),
  );
  registerCommand(context, log, "switchboard.seedDemoData", () =>
    seedDemoData(env),
  );
}

async function showStatus(env: ConnectionEnvironment): Promise<void> {
  const { plane } = env;
  const settings = readBackendSettings();
  const message = statusMessage({
    state: plane.state,
    session: plane.session,
    ...(settings.backendUrl === ""
      ? { dataDir: plane.dataDir }
      : { backendUrl: settings.backendUrl }),
  });
  const troubled =
    plane.state.status === "failed" || plane.state.status === "signedOut";
  const buttons =
    plane.state.status === "signedOut"
      ? [SWITCH_BACKEND, SHOW_LOG]
      : [SHOW_LOG, RECONNECT];
  const choice = troubled
    ? await vscode.window.showWarningMessage(message, ...buttons)
    : await vscode.window.showInformationMessage(message, ...buttons);
  if (choice === SHOW_LOG) env.log.show(true);
  else if (choice === RECONNECT) await reconnect(env);
  else if (choice === SWITCH_BACKEND) {
    await vscode.commands.executeCommand("switchboard.switchBackend");
  }
}

async function reconnect(env: ConnectionEnvironment): Promise<void> {
  await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Window,
      title: "Switchboard: reconnecting",
    },
    () => env.plane.restart(),
  );
  await reportOutcome(env);
}

/** After a (re)connect a command asked for: one line saying how it went. */
async function reportOutcome(env: ConnectionEnvironment): Promise<void> {
  const { state } = env.plane;
  if (state.status === "connected") {
    await vscode.window.showInformationMessage(`Switchboard: ${state.detail}`);
  } else {
    await vscode.window
      .showWarningMessage(`Switchboard: ${state.detail}`, SHOW_LOG)
      .then((choice) => {
        if (choice === SHOW_LOG) env.log.show(true);
      });
  }
}

interface BackendPick extends vscode.QuickPickItem {
  readonly target: "local" | "remote";
}

async function switchBackend(
  context: vscode.ExtensionContext,
  env: ConnectionEnvironment,
): Promise<void> {
  const current = readBackendSettings();
  const items: BackendPick[] = [
    {
      target: "local",
      label: "$(server-process) Local backend (embedded)",
      description: current.backendUrl === "" ? "current" : "",
      detail: `Runs on this machine; data in ${env.plane.dataDir}`,
    },
    {
      target: "remote",
      label: "$(cloud) Convex deployment URL…",
      description: current.backendUrl === "" ? "" : current.backendUrl,
      detail: "Convex cloud or self-hosted; you sign in with your sbu_… token",
    },
  ];
  const pick = await vscode.window.showQuickPick(items, {
    title: "Switchboard: Switch Backend",
    placeHolder: "Where should Switchboard connect?",
  });
  if (pick === undefined) return;
  if (pick.target === "local") {
    await applyAndConnect(env, { backendUrl: "", siteUrl: "" });
    return;
  }
  const url = await vscode.window.showInputBox({
    title: "Switchboard: Convex deployment URL",
    prompt:
      "The deployment URL, as `npx convex dashboard` or your self-hosted setup shows it",
    placeHolder: "https://happy-otter-123.convex.cloud",
    value: current.backendUrl,
    ignoreFocusOut: true,
    validateInput: validateBackendUrlInput,
  });
  if (url === undefined) return;
  const backendUrl = normalizeUrl(url, "The URL");
  let siteUrl = "";
  if (deriveSiteUrl(backendUrl) === null) {
    const site = await vscode.window.showInputBox({
      title: "Switchboard: HTTP actions URL",
      prompt:
        "Where this deployment serves HTTP actions (its site URL); needed for signing in",
      value: current.siteUrl,
      ignoreFocusOut: true,
      validateInput: validateBackendUrlInput,
    });
    if (site === undefined) return;
    siteUrl = normalizeUrl(site, "The URL");
  }
  const stored = (await context.secrets.get(SIGN_IN_SECRET_KEY)) !== undefined;
  const secret = await vscode.window.showInputBox({
    title: "Switchboard: Sign-in token",
    prompt:
      "Your personal Switchboard sign-in token (sbu_…). It is kept in VS Code's secret storage.",
    placeHolder: stored ? "Leave empty to keep the stored token" : "sbu_…",
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) =>
      value.trim() === "" && stored ? null : validateSecretInput(value),
  });
  if (secret === undefined) return;
  if (secret.trim() !== "") {
    await context.secrets.store(SIGN_IN_SECRET_KEY, secret.trim());
  }
  await applyAndConnect(env, { backendUrl, siteUrl });
}

/**
 * Writes the settings (user level) and reconnects once: when they changed, the
 * settings listener restarts the plane and `restartIfSettingsChanged` joins that
 * attempt; when they did not (same backend, new token), this restarts it.
 */
async function applyAndConnect(
  env: ConnectionEnvironment,
  next: BackendSettings,
): Promise<void> {
  const before = readBackendSettings();
  const config = vscode.workspace.getConfiguration("switchboard");
  const target = vscode.ConfigurationTarget.Global;
  await config.update("backendUrl", next.backendUrl, target);
  await config.update("siteUrl", next.siteUrl, target);
  const effective = readBackendSettings();
  if (!sameSettings(effective, next)) {
    void vscode.window.showWarningMessage(
      "Switchboard: this workspace's settings override switchboard.backendUrl or switchboard.siteUrl; change them there too.",
    );
  }
  const connecting = sameSettings(before, effective)
    ? env.plane.restart()
    : env.plane.restartIfSettingsChanged();
  await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: "Switchboard: connecting…",
    },
    () => connecting,
  );
  await reportOutcome(env);
}

async function seedDemoData(env: ConnectionEnvironment): Promise<void> {
  const { plane } = env;
  if (readBackendSettings().backendUrl !== "") {
    await vscode.window.showInformationMessage(
      "Switchboard: on a Convex deployment, seed demo data from a terminal in the Switchboard repository: `npx convex run demo:seed`.",
    );
    return;
  }
  const session = plane.session;
  if (session === null) {
    await vscode.window.showWarningMessage(
      `Switchboard: the local backend is not connected yet (${plane.state.detail}).`,
    );
    return;
  }
  const result = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: "Switchboard: adding demo data…",
    },
    () => runSeed(env.backendCommand, session.dataDir ?? plane.dataDir),
  );
  env.log.info(
    `Seeded ${result.tasks} demo tasks into project ${result.projectId}`,
  );
  const choice = await vscode.window.showInformationMessage(
    `Switchboard: added ${result.tasks} demo tasks, a thread and an approval.`,
    "Open Board",
  );
  if (choice === "Open Board") {
    await vscode.commands.executeCommand("switchboard.openBoard");
  }
}
