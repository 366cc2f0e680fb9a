/**
 * What every sidebar tree shares: a provider fed by live subscriptions that
 * repaints when data (or the clock) changes, and helpers that turn the pure
 * modules' icon specs and label/value rows into VS Code objects.
 */
import * as vscode from "vscode";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import type { ControlPlane } from "../contracts";
import type { Person } from "./nodes";
import type { IconSpec } from "./taskTree";

/** Owns disposables created along the way; disposing it disposes them in reverse. */
export class DisposableStore implements vscode.Disposable {
  private readonly items: vscode.Disposable[] = [];

  track<T extends vscode.Disposable>(item: T): T {
    this.items.push(item);
    return item;
  }

  dispose(): void {
    for (const item of this.items.splice(0).reverse()) item.dispose();
  }
}

/** Many subscriptions can change in one backend transaction: paint once for all of them. */
const COALESCE_MS = 50;

export abstract class LiveTreeProvider<T>
  extends DisposableStore
  implements vscode.TreeDataProvider<T>
{
  private readonly changed = this.track(
    new vscode.EventEmitter<T | undefined | void>(),
  );
  readonly onDidChangeTreeData = this.changed.event;
  private scheduled: ReturnType<typeof setTimeout> | undefined;
  private problem: string | undefined;
  protected view: vscode.TreeView<T> | undefined;

  constructor(protected readonly plane: ControlPlane) {
    super();
    this.track({
      dispose: () => {
        if (this.scheduled !== undefined) clearTimeout(this.scheduled);
      },
    });
    // A new session is another backend or project: drop what belongs to the old one
    // at once rather than show it until the new subscriptions answer.
    this.track(
      plane.onDidChangeSession(() => {
        this.problem = undefined;
        this.clear();
        this.refresh();
      }),
    );
  }

  /** Connects the provider to its view so it can set the view's message and badge. */
  bind(view: vscode.TreeView<T>): void {
    this.view = view;
    this.updateView(view);
  }

  abstract getTreeItem(element: T): vscode.TreeItem;
  abstract getChildren(element?: T): T[];

  /** Forgets all loaded data (the session changed). */
  protected abstract clear(): void;

  /** Sets badge and message after each repaint; the default says why the view is empty. */
  protected updateView(view: vscode.TreeView<T>): void {
    view.message = this.problem ?? this.emptyMessage();
  }

  /** A line shown above the tree when there is nothing to show; undefined hides it. */
  protected emptyMessage(): string | undefined {
    return this.plane.session === null
      ? "Not connected to a Switchboard backend."
      : undefined;
  }

  protected refresh(): void {
    if (this.scheduled !== undefined) return;
    this.scheduled = setTimeout(() => {
      this.scheduled = undefined;
      this.changed.fire();
      if (this.view !== undefined) this.updateView(this.view);
    }, COALESCE_MS);
  }

  /** For a watch's onError: keep the old data, say what went wrong above the tree. */
  protected readonly failed = (error: Error): void => {
    this.problem = `Could not load: ${error.message}`;
    this.refresh();
  };

  /** Marks a successful load, which clears an earlier failure message. */
  protected loaded(): void {
    this.problem = undefined;
    this.refresh();
  }

  /** Names of the project's people and agents by id (api.board.people), kept live. */
  protected names = new Map<string, string>();

  protected watchNames(): void {
    this.track(
      this.plane.watch(
        api.board.people,
        (session) => ({ projectId: session.projectId as Id<"projects"> }),
        (people: Person[]) => {
          this.names = new Map(
            people.map((person) => [person.id, person.name]),
          );
          this.loaded();
        },
        this.failed,
      ),
    );
  }

  /** Repaints every `ms` so relative times ("5 min ago") stay true. */
  protected tick(ms: number, when: () => boolean = () => true): void {
    const timer = setInterval(() => {
      if (when()) this.refresh();
    }, ms);
    this.track({ dispose: () => clearInterval(timer) });
  }
}

export function themeIcon(spec: IconSpec): vscode.ThemeIcon {
  return new vscode.ThemeIcon(
    spec.id,
    spec.color === undefined ? undefined : new vscode.ThemeColor(spec.color),
  );
}

/** A hover card: a bold title, then one "**Label:** value" line per row, values escaped. */
export function rowsTooltip(
  title: string,
  rows: ReadonlyArray<readonly [string, string]>,
): vscode.MarkdownString {
  const markdown = new vscode.MarkdownString();
  markdown.appendMarkdown("**");
  markdown.appendText(title);
  markdown.appendMarkdown("**\n\n");
  for (const [label, value] of rows) {
    markdown.appendMarkdown(`**${label}:** `);
    markdown.appendText(value);
    markdown.appendMarkdown("  \n");
  }
  return markdown;
}
