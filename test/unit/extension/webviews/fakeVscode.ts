/**
 * Just enough of the `vscode` module for the panels: webview panels whose
 * postMessage/onDidReceiveMessage the test drives, Uri.joinPath, the colour
 * theme and its event. Installed with `vi.mock("vscode", ...)`.
 */
import { Emitter } from "../../../../extension/util/emitter";

export class FakeUri {
  constructor(readonly fsPath: string) {}
  static file(path: string): FakeUri {
    return new FakeUri(path);
  }
  static joinPath(base: FakeUri, ...parts: string[]): FakeUri {
    return new FakeUri([base.fsPath, ...parts].join("/"));
  }
  toString(): string {
    return `https://file+.vscode-resource.vscode-cdn.net${this.fsPath}`;
  }
}

export class FakeWebview {
  html = "";
  readonly cspSource = "'self' https://*.vscode-cdn.net";
  readonly posted: unknown[] = [];
  readonly incoming = new Emitter<unknown>();
  readonly onDidReceiveMessage = this.incoming.event;
  options: unknown;
  asWebviewUri(uri: FakeUri): FakeUri {
    return uri;
  }
  postMessage(message: unknown): Promise<boolean> {
    this.posted.push(message);
    return Promise.resolve(true);
  }
  /** What the page would send. */
  send(message: unknown): void {
    this.incoming.fire(message);
  }
}

export class FakePanel {
  readonly webview = new FakeWebview();
  iconPath: unknown;
  reveals = 0;
  disposed = false;
  private readonly disposeEmitter = new Emitter<void>();
  readonly onDidDispose = this.disposeEmitter.event;
  constructor(
    readonly viewType: string,
    public title: string,
    readonly options: {
      enableScripts?: boolean;
      localResourceRoots?: FakeUri[];
      retainContextWhenHidden?: boolean;
    },
  ) {}
  reveal(): void {
    this.reveals++;
  }
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.disposeEmitter.fire();
  }
}

export const created: FakePanel[] = [];
export const themeEmitter = new Emitter<{ kind: number }>();

export const fakeVscode = {
  Uri: FakeUri,
  ViewColumn: { Active: -1 },
  window: {
    activeColorTheme: { kind: 2 },
    onDidChangeActiveColorTheme: themeEmitter.event,
    createWebviewPanel: (
      viewType: string,
      title: string,
      _column: unknown,
      options: FakePanel["options"],
    ): FakePanel => {
      const panel = new FakePanel(viewType, title, options);
      created.push(panel);
      return panel;
    },
  },
};
