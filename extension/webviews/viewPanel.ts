/**
 * One webview panel: its HTML (strict CSP, fresh nonce per render), its typed
 * Endpoint over postMessage, and the host side of the handshake. The webview
 * says `webview/ready`, the host answers `host/init`; nothing is sent before
 * that (it would be lost). A session change that moves the backend or the
 * project re-renders the page, so the CSP follows the backend and the view
 * starts over with a fresh init.
 */
import { existsSync } from "node:fs";
import * as vscode from "vscode";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import type { ControlPlane } from "../contracts";
import { Disposable } from "../util/disposable";
import { errorMessage, userMessage } from "../util/errors";
import type { Logger } from "../util/log";
import {
  Endpoint,
  hostAuthToken,
  hostInit,
  hostTargetChanged,
  hostThemeChanged,
  webviewAttachSandbox,
  webviewOpenSandbox,
  webviewOpenView,
  webviewReady,
  type BoardPreload,
  type NotificationType,
  type Transport,
  type ViewKind,
  type ViewTarget,
} from "../../webview/protocol";
import { loadBoardPreload, preloadInTime } from "./boardPreload";
import { renderWebviewHtml } from "./html";
import { createNonce } from "./nonce";
import {
  backendUrlOf,
  initParams,
  panelTitle,
  renderKey,
  sameTarget,
  themeKindOf,
  viewTypeOf,
} from "./panelContent";

export interface ViewPanelDeps {
  readonly extensionUri: vscode.Uri;
  readonly plane: ControlPlane;
  readonly log: Logger;
  /** Opens another view (webview/view/open, a card's "open"). */
  readonly open: (view: ViewKind, target: ViewTarget) => void;
}

export class ViewPanel extends Disposable {
  private readonly panel: vscode.WebviewPanel;
  private readonly endpoint: Endpoint;
  private readonly assets: vscode.Uri;
  private target: ViewTarget;
  private ready = false;
  private renderedKey: string | null = null;
  /** Board only: first pages read while the page loads; used by the next init once. */
  private preload: Promise<BoardPreload | undefined> | undefined;

  constructor(
    readonly view: ViewKind,
    target: ViewTarget,
    private readonly deps: ViewPanelDeps,
    onClosed: () => void,
  ) {
    super();
    this.target = target;
    this.assets = vscode.Uri.joinPath(deps.extensionUri, "dist", "webview");
    this.panel = this.register(
      vscode.window.createWebviewPanel(
        viewTypeOf(view),
        panelTitle(view),
        vscode.ViewColumn.Active,
        {
          enableScripts: true,
          localResourceRoots: [this.assets],
          // The ready handshake re-inits a reloaded page; no need to keep it in memory.
          retainContextWhenHidden: false,
        },
      ),
    );
    this.panel.iconPath = vscode.Uri.joinPath(
      deps.extensionUri,
      "media",
      "switchboard.svg",
    );
    this.endpoint = this.register(
      new Endpoint(this.transport(), {
        onInvalid: (_value, reason) =>
          deps.log.warn(`[${view} view] dropped a message: ${reason}`),
      }),
    );
    this.handleMessages();
    this.register(
      this.panel.onDidDispose(() => {
        this.dispose();
        onClosed();
      }),
    );
    this.register(deps.plane.onDidChangeSession(() => this.onSession()));
    this.register(
      vscode.window.onDidChangeActiveColorTheme((theme) =>
        this.notify(hostThemeChanged, { theme: themeKindOf(theme.kind) }),
      ),
    );
    try {
      this.startPreload();
      this.render();
    } catch (error) {
      // Never leave a blank panel behind (e.g. a CSP input html.ts refuses).
      this.dispose();
      throw error;
    }
    this.updateTitle();
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  /** Shows another item in this (single-item) view. */
  retarget(target: ViewTarget): void {
    if (sameTarget(target, this.target)) return;
    this.target = target;
    this.updateTitle();
    // Not ready yet: the init it will get carries the new target.
    this.notify(hostTargetChanged, { target });
  }

  private transport(): Transport {
    const webview = this.panel.webview;
    return {
      post: (message) => {
        webview
          .postMessage(message)
          .then(undefined, (error: unknown) =>
            this.deps.log.warn(
              `[${this.view} view] could not post: ${errorMessage(error)}`,
            ),
          );
      },
      onMessage: (listener) => {
        const subscription = webview.onDidReceiveMessage(listener);
        return () => {
          subscription.dispose();
        };
      },
    };
  }

  private handleMessages(): void {
    const { endpoint, deps } = this;
    endpoint.onNotification(webviewReady, ({ view }) => {
      if (view !== this.view) {
        deps.log.warn(`[${this.view} view] the page says it is a ${view} view`);
      }
      this.ready = true;
      void this.sendInit();
    });
    // Never logged: the answer is a bearer token.
    endpoint.onRequest(hostAuthToken, async ({ forceRefresh }) => ({
      token: await deps.plane.getToken(forceRefresh),
    }));
    endpoint.onNotification(webviewOpenView, ({ view, target }) =>
      deps.open(view, target),
    );
    // Sandboxes need git, Docker and VS Code windows: the commands do the
    // asking and report their own failures, so a rejection here is only logged.
    endpoint.onNotification(webviewOpenSandbox, ({ taskId }) =>
      this.runCommand("switchboard.openSandbox", { taskId }),
    );
    endpoint.onNotification(webviewAttachSandbox, ({ sandboxId }) =>
      this.runCommand("switchboard.attachSandbox", { sandboxId }),
    );
  }

  private runCommand(command: string, args: Record<string, string>): void {
    vscode.commands
      .executeCommand(command, args)
      .then(undefined, (error: unknown) =>
        this.deps.log.warn(
          `[${this.view} view] ${command} failed: ${errorMessage(error)}`,
        ),
      );
  }

  private async sendInit(): Promise<void> {
    const pending = this.preload;
    this.preload = undefined;
    const preload =
      pending === undefined ? undefined : await preloadInTime(pending);
    const session = this.deps.plane.session;
    const theme = themeKindOf(vscode.window.activeColorTheme.kind);
    const params = initParams(session, theme, this.target);
    this.notify(
      hostInit,
      preload !== undefined && preload.projectId === session?.projectId
        ? { ...params, preload }
        : params,
    );
  }

  /** The board's first pages, fetched in parallel with the page's own loading. */
  private startPreload(): void {
    const session = this.deps.plane.session;
    if (this.view !== "board" || session === null) return;
    const { plane, log } = this.deps;
    this.preload = loadBoardPreload(
      (ref, args) => plane.query(ref, args),
      session.projectId,
    ).catch((error: unknown) => {
      // The board then loads its pages itself, as without a preload.
      log.warn(`[board view] preload failed: ${errorMessage(error)}`);
      return undefined;
    });
  }

  /** Posts only to a page that said ready; a disposed panel throws, so guard it. */
  private notify<P>(type: NotificationType<P>, params: P): void {
    if (!this.ready || this.isDisposed) return;
    try {
      this.endpoint.notify(type, params);
    } catch (error) {
      this.deps.log.warn(
        `[${this.view} view] ${type.method} failed: ${errorMessage(error)}`,
      );
    }
  }

  private onSession(): void {
    if (renderKey(this.deps.plane.session) !== this.renderedKey) {
      this.startPreload();
      this.render();
    }
    this.updateTitle();
  }

  private render(): void {
    const { webview } = this.panel;
    const session = this.deps.plane.session;
    const script = vscode.Uri.joinPath(this.assets, `${this.view}.js`);
    const style = vscode.Uri.joinPath(this.assets, `${this.view}.css`);
    this.ready = false;
    this.renderedKey = renderKey(session);
    webview.html = renderWebviewHtml({
      cspSource: webview.cspSource,
      nonce: createNonce(),
      scriptUri: webview.asWebviewUri(script).toString(),
      ...(existsSync(style.fsPath)
        ? { styleUri: webview.asWebviewUri(style).toString() }
        : {}),
      title: panelTitle(this.view),
      backendOrigin: backendUrlOf(session),
    });
  }

  /** "Task SB-12" once the task's number is known; the plain title until then. */
  private updateTitle(): void {
    const taskId = this.target.taskId;
    const session = this.deps.plane.session;
    if (this.view !== "task" || taskId === undefined || session === null) {
      this.panel.title = panelTitle(this.view);
      return;
    }
    this.deps.plane
      .query(api.tasks.get, { taskId: taskId as Id<"tasks"> })
      .then(
        (task) => {
          if (this.isDisposed || this.target.taskId !== taskId) return;
          this.panel.title = panelTitle(
            "task",
            `${session.projectKey}-${task.number}`,
          );
        },
        (error: unknown) =>
          this.deps.log.warn(
            `[task view] could not load ${taskId}: ${userMessage(error)}`,
          ),
      );
  }
}
