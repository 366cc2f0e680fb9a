/**
 * package.json's `contributes` against what the code registers: every view
 * the sidebar creates and every command the commands part registers is
 * declared, every menu entry names a declared command, and the Runs view's
 * menus match the context values its tree items carry.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test, vi } from "vitest";
import type * as vscode from "vscode";
import { registerCommands } from "../../../extension/commands/index";
import { registerViews } from "../../../extension/views/index";
import { FakePlane } from "./views/fakePlane";
import { createdViews, ui } from "./views/fakeVscode";

vi.mock("vscode", () => import("./views/fakeVscode"));

type MenuEntry = { command: string; when?: string; group?: string };
type Manifest = {
  contributes: {
    commands: Array<{ command: string; title: string }>;
    views: Record<string, Array<{ id: string }>>;
    viewsWelcome: Array<{ view: string; contents: string }>;
    menus: Record<string, MenuEntry[]>;
  };
};

const manifest = JSON.parse(
  readFileSync(join(__dirname, "../../../package.json"), "utf8"),
) as Manifest;
const declared = new Set(manifest.contributes.commands.map((c) => c.command));

function registered(): { commands: string[]; views: string[] } {
  ui.reset();
  createdViews.length = 0;
  const context = { subscriptions: [] as { dispose(): void }[] };
  const plane = new FakePlane().asPlane();
  const panels = { open: () => undefined };
  registerViews(context as unknown as vscode.ExtensionContext, plane, panels);
  registerCommands(
    { ...context, extensionPath: "/ext" } as unknown as vscode.ExtensionContext,
    plane,
    panels,
  );
  const result = {
    commands: [...ui.commands.keys()],
    views: createdViews.map((view) => view.id),
  };
  for (const item of context.subscriptions) item.dispose();
  return result;
}

describe("package.json contributes", () => {
  test("every registered command and view is declared", () => {
    const { commands, views } = registered();
    expect(commands.filter((id) => !declared.has(id))).toEqual([]);
    const sidebar = manifest.contributes.views.switchboard?.map((v) => v.id);
    expect(sidebar).toEqual(views);
  });

  test("every menu entry and welcome link names a declared command", () => {
    const menuCommands = Object.values(manifest.contributes.menus)
      .flat()
      .map((entry) => entry.command);
    const welcomeCommands = manifest.contributes.viewsWelcome.flatMap((w) =>
      [...w.contents.matchAll(/command:([\w.]+)/g)].map((m) => m[1]),
    );
    expect(
      [...menuCommands, ...welcomeCommands].filter((id) => !declared.has(id!)),
    ).toEqual([]);
  });

  test("the Runs view: title actions and item menus keyed on its context values", () => {
    const { menus } = manifest.contributes;
    const titleActions = menus["view/title"]!.filter(
      (entry) => entry.when === "view == switchboard.runs",
    ).map((entry) => entry.command);
    expect(titleActions).toEqual([
      "switchboard.startWorkflowRun",
      "switchboard.openBudgets",
    ]);
    const itemMenu = (command: string) =>
      menus["view/item/context"]!.filter(
        (entry) => entry.command === command,
      ).map((entry) => entry.when);
    // runTree.ts: runContextValue = "run.<status>", stepContextValue = "runStep.failed" when rerunnable.
    expect(itemMenu("switchboard.cancelWorkflowRun")).toContain(
      "viewItem == run.running",
    );
    expect(itemMenu("switchboard.rerunWorkflowStep")).toContain(
      "viewItem == runStep.failed",
    );
    const palette = menus.commandPalette!.map((entry) => entry.command);
    for (const id of [
      "switchboard.startWorkflowRun",
      "switchboard.cancelWorkflowRun",
      "switchboard.rerunWorkflowStep",
      "switchboard.openRun",
      "switchboard.openBudgets",
    ]) {
      expect(palette).toContain(id);
    }
  });
});
