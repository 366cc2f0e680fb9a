/**
 * The slice of the `vscode` module the sidebar uses, enough to run the tree
 * providers under vitest (`vi.mock("vscode", ...)`): items are plain objects,
 * events are synchronous, and created tree views are recorded for inspection.
 */
type Listener<T> = (value: T) => void;

export class EventEmitter<T> {
  private listeners = new Set<Listener<T>>();
  readonly event = (listener: Listener<T>) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };
  fire(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

export enum TreeItemCollapsibleState {
  None = 0,
  Collapsed = 1,
  Expanded = 2,
}

export class TreeItem {
  id?: string;
  description?: string;
  tooltip?: unknown;
  iconPath?: unknown;
  contextValue?: string;
  command?: { command: string; title: string; arguments?: unknown[] };
  constructor(
    public label: string,
    public collapsibleState: TreeItemCollapsibleState = TreeItemCollapsibleState.None,
  ) {}
}

export class ThemeColor {
  constructor(public id: string) {}
}

export class ThemeIcon {
  constructor(
    public id: string,
    public color?: ThemeColor,
  ) {}
}

export class MarkdownString {
  value = "";
  appendMarkdown(text: string): this {
    this.value += text;
    return this;
  }
  appendText(text: string): this {
    this.value += text.replace(/[\\`*_{}[\]()#+\-.!]/g, "\\$&");
    return this;
  }
}

export type FakeTreeView = {
  id: string;
  provider: unknown;
  message?: string;
  badge?: { value: number; tooltip: string };
  /** Fire `{ element }` to act as the person collapsing a tree item. */
  collapsed: EventEmitter<{ element: unknown }>;
  onDidCollapseElement: EventEmitter<{ element: unknown }>["event"];
  dispose(): void;
};

export const createdViews: FakeTreeView[] = [];

type Item = string | { label: string };

type Answer = (
  kind: string,
  text: string,
  items: string[],
) => string | undefined;
type Picker = <T extends Item>(
  items: readonly T[],
  title?: string,
) => T | undefined;
type Input = (options: {
  title?: string;
  value?: string;
}) => string | undefined;
const noAnswer: Answer = () => undefined;
const noPick: Picker = () => undefined;
const noInput: Input = () => undefined;

/**
 * The person at the keyboard, scripted per test: what they answer to each
 * message, pick and input box. Every prompt is recorded in `shown`.
 */
export const ui = {
  shown: [] as Array<{ kind: string; text: string; items: unknown[] }>,
  answer: noAnswer,
  pick: noPick,
  input: noInput,
  config: new Map<string, unknown>(),
  clipboard: "",
  statusBar: [] as string[],
  logged: [] as string[],
  folders: [] as Array<{
    name: string;
    uri: { scheme: string; fsPath: string };
  }>,
  commands: new Map<string, (...args: unknown[]) => Promise<void>>(),
  reset(): void {
    this.shown = [];
    this.answer = noAnswer;
    this.pick = noPick;
    this.input = noInput;
    this.config = new Map();
    this.clipboard = "";
    this.statusBar = [];
    this.logged = [];
    this.folders = [];
    this.commands = new Map();
  },
};

function message(kind: string) {
  return (text: string, ...rest: unknown[]) => {
    const items = rest.filter(
      (item): item is string => typeof item === "string",
    );
    ui.shown.push({ kind, text, items: rest });
    return Promise.resolve(ui.answer(kind, text, items));
  };
}

const logger =
  (level: string) =>
  (text: unknown, ...rest: unknown[]) => {
    ui.logged.push(`${level} ${String(text)} ${rest.map(String).join(" ")}`);
  };

export const commands = {
  registerCommand(id: string, handler: (...args: unknown[]) => Promise<void>) {
    ui.commands.set(id, handler);
    return { dispose: () => ui.commands.delete(id) };
  },
};

export const env = {
  clipboard: {
    writeText: (text: string) => {
      ui.clipboard = text;
      return Promise.resolve();
    },
  },
};

export class Uri {
  constructor(
    public scheme: string,
    public path: string,
  ) {}
  static from(parts: { scheme: string; path: string }) {
    return new Uri(parts.scheme, parts.path);
  }
  static file(path: string) {
    return new Uri("file", path);
  }
  get fsPath() {
    return this.path;
  }
}

export const workspace = {
  get workspaceFolders() {
    return ui.folders;
  },
  getConfiguration: (section: string) => ({
    get: <T>(key: string, fallback: T): T =>
      (ui.config.get(`${section}.${key}`) as T | undefined) ?? fallback,
  }),
  registerTextDocumentContentProvider: () => ({ dispose: () => undefined }),
  openTextDocument: (uri: Uri) => Promise.resolve({ uri }),
};

export const window = {
  showInformationMessage: message("info"),
  showWarningMessage: message("warning"),
  showErrorMessage: message("error"),
  showQuickPick: <T extends Item>(
    items: readonly T[],
    options?: { title?: string },
  ) => Promise.resolve(ui.pick(items, options?.title)),
  showInputBox: (options: { title?: string; value?: string }) =>
    Promise.resolve(ui.input(options)),
  showWorkspaceFolderPick: () => Promise.resolve(ui.folders[0]),
  showTextDocument: () => Promise.resolve(undefined),
  setStatusBarMessage: (text: string) => {
    ui.statusBar.push(text);
    return { dispose: () => undefined };
  },
  createOutputChannel: () => ({
    info: logger("info"),
    warn: logger("warn"),
    error: logger("error"),
    dispose: () => undefined,
  }),
  createQuickPick: <T extends Item>() => {
    const accepted = new EventEmitter<void>();
    const hidden = new EventEmitter<void>();
    const quickPick = {
      title: undefined as string | undefined,
      placeholder: "",
      items: [] as readonly T[],
      activeItems: [] as readonly T[],
      selectedItems: [] as readonly T[],
      onDidAccept: accepted.event,
      onDidHide: hidden.event,
      show() {
        const picked = ui.pick(this.items, this.title);
        if (picked === undefined) hidden.fire();
        else {
          this.selectedItems = [picked];
          accepted.fire();
        }
      },
      dispose: () => undefined,
    };
    return quickPick;
  },
  createTreeView(id: string, options: { treeDataProvider: unknown }) {
    const collapsed = new EventEmitter<{ element: unknown }>();
    const view: FakeTreeView = {
      id,
      provider: options.treeDataProvider,
      collapsed,
      onDidCollapseElement: collapsed.event,
      dispose: () => undefined,
    };
    createdViews.push(view);
    return view;
  },
};
