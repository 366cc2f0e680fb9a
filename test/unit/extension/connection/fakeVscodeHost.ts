/**
 * A `vscode` stand-in for activating the extension in a unit test: records
 * commands, context keys, messages, status bar items and settings, and lets the
 * test answer quick picks and input boxes. Only what the composition root, the
 * status bar and the connection commands touch.
 */
import { Emitter } from "../../../../extension/util/emitter";

type Handler = (...args: unknown[]) => unknown;

export const host = {
  commands: new Map<string, Handler>(),
  contextKeys: new Map<string, unknown>(),
  messages: [] as { level: string; text: string; items: string[] }[],
  /** The button the next message "clicks". */
  nextChoice: undefined as string | undefined,
  quickPicks: [] as ((items: { label: string }[]) => unknown)[],
  inputs: [] as (string | undefined)[],
  settings: new Map<string, unknown>([
    ["backendUrl", ""],
    ["siteUrl", ""],
  ]),
  configEmitter: new Emitter<{
    affectsConfiguration(section: string): boolean;
  }>(),
  logLines: [] as string[],
  logShown: 0,
  statusItems: [] as FakeStatusBarItem[],
  reset(): void {
    this.commands.clear();
    this.contextKeys.clear();
    this.messages.length = 0;
    this.nextChoice = undefined;
    this.quickPicks.length = 0;
    this.inputs.length = 0;
    this.settings.set("backendUrl", "");
    this.settings.set("siteUrl", "");
    this.logLines.length = 0;
    this.logShown = 0;
    this.statusItems.length = 0;
  },
};

export class FakeStatusBarItem {
  text = "";
  tooltip: unknown;
  command: unknown;
  name: unknown;
  backgroundColor: unknown;
  visible = false;
  disposed = false;
  constructor(readonly id: string) {}
  show(): void {
    this.visible = true;
  }
  dispose(): void {
    this.disposed = true;
  }
}

class Uri {
  constructor(readonly fsPath: string) {}
  static file(path: string): Uri {
    return new Uri(path);
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri([base.fsPath, ...parts].join("/"));
  }
  toString(): string {
    return `file://${this.fsPath}`;
  }
}

function message(level: string) {
  return (text: string, ...items: string[]): Promise<string | undefined> => {
    host.messages.push({ level, text, items });
    const choice = host.nextChoice;
    host.nextChoice = undefined;
    return Promise.resolve(
      choice !== undefined && items.includes(choice) ? choice : undefined,
    );
  };
}

const log =
  (level: string) =>
  (text: string, ...rest: unknown[]) =>
    host.logLines.push(
      `${level} ${text}${rest.length > 0 ? ` ${rest.map(String).join(" ")}` : ""}`,
    );

export const fakeVscodeHost = {
  Uri,
  ViewColumn: { Active: -1 },
  StatusBarAlignment: { Left: 1, Right: 2 },
  ProgressLocation: { Notification: 15, Window: 10 },
  ConfigurationTarget: { Global: 1 },
  ThemeColor: class {
    constructor(readonly id: string) {}
  },
  window: {
    activeColorTheme: { kind: 2 },
    onDidChangeActiveColorTheme: new Emitter<unknown>().event,
    createOutputChannel: () => ({
      info: log("info"),
      warn: log("warn"),
      error: log("error"),
      show: () => host.logShown++,
      dispose: () => undefined,
    }),
    createStatusBarItem: (id: string) => {
      const item = new FakeStatusBarItem(id);
      host.statusItems.push(item);
      return item;
    },
    showInformationMessage: message("info"),
    showWarningMessage: message("warning"),
    showErrorMessage: message("error"),
    withProgress: (_options: unknown, task: () => Promise<unknown>) => task(),
    showQuickPick: (items: { label: string }[]) =>
      Promise.resolve(host.quickPicks.shift()?.(items)),
    showInputBox: () => Promise.resolve(host.inputs.shift()),
  },
  commands: {
    registerCommand: (id: string, handler: Handler) => {
      if (host.commands.has(id))
        throw new Error(`command ${id} already exists`);
      host.commands.set(id, handler);
      return { dispose: () => host.commands.delete(id) };
    },
    executeCommand: (id: string, ...args: unknown[]) => {
      if (id === "setContext") {
        host.contextKeys.set(String(args[0]), args[1]);
        return Promise.resolve(undefined);
      }
      const handler = host.commands.get(id);
      return Promise.resolve(handler?.(...args));
    },
  },
  workspace: {
    getConfiguration: () => ({
      get: (key: string, fallback: unknown) =>
        host.settings.get(key) ?? fallback,
      update: (key: string, value: unknown) => {
        host.settings.set(key, value);
        host.configEmitter.fire({
          affectsConfiguration: (section) => section === `switchboard.${key}`,
        });
        return Promise.resolve();
      },
    }),
    onDidChangeConfiguration: host.configEmitter.event,
  },
};
