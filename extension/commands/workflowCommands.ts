/**
 * Workflow run commands: start a run, cancel it, rerun a failed step, open a
 * run or the budgets. Each takes the Runs view's element when run from its
 * menus, else asks with a QuickPick loaded fresh from the backend.
 */
import * as vscode from "vscode";
import { api } from "../../convex/_generated/api";
import type { Doc } from "../../convex/_generated/dataModel";
import type { ControlPlane, Panels, Session } from "../contracts";
import type { WorkflowRun } from "../views/nodes";
import { runLabel } from "../views/runTree";
import { UserError } from "../util/errors";
import {
  declaredInputs,
  failedStepPickItems,
  inputsPrompt,
  latestWorkflows,
  parseRunInputs,
  runPickItems,
  runRefFromArg,
  stepRefFromArg,
  workflowPickItems,
  type RunInputs,
  type RunRef,
  type StepRef,
} from "./runPicks";
import { projectIdOf, requireSession } from "./session";

const CANCEL_RUN = "Cancel Run";

/** A run of the project chosen from the newest ones; undefined if dismissed. */
async function pickRun(
  plane: ControlPlane,
  session: Session,
  options: {
    title: string;
    which: (run: WorkflowRun) => boolean;
    noneText: string;
  },
): Promise<RunRef | undefined> {
  const runs = (
    await plane.query(api.workflowRuns.list, {
      projectId: projectIdOf(session),
    })
  ).filter(options.which);
  if (runs.length === 0) throw new UserError(options.noneText);
  const picked = await vscode.window.showQuickPick(
    runPickItems(runs, Date.now()),
    {
      title: options.title,
      placeHolder: "Which run?",
      matchOnDescription: true,
    },
  );
  return picked === undefined
    ? undefined
    : { runId: picked.run._id, run: picked.run };
}

/** The inputs to start with: undefined when dismissed, `{}` for none. */
async function askInputs(
  workflow: Pick<Doc<"workflows">, "name" | "version" | "definition">,
): Promise<RunInputs | undefined> {
  const declared = declaredInputs(workflow.definition);
  if (declared.length === 0) return {};
  const text = await vscode.window.showInputBox({
    title: `Start ${workflow.name} v${workflow.version}: inputs`,
    prompt: inputsPrompt(declared),
    validateInput: (value) => {
      const parsed = parseRunInputs(value, declared);
      return parsed.ok ? undefined : parsed.message;
    },
    ignoreFocusOut: true,
  });
  if (text === undefined) return undefined;
  const parsed = parseRunInputs(text, declared);
  if (!parsed.ok) throw new UserError(parsed.message);
  return parsed.inputs ?? {};
}

export function workflowCommands(plane: ControlPlane, panels: Panels) {
  return {
    "switchboard.startWorkflowRun": async () => {
      const session = requireSession(plane);
      const latest = latestWorkflows(
        await plane.query(api.workflows.list, {
          projectId: projectIdOf(session),
        }),
      );
      if (latest.length === 0) {
        throw new UserError(
          "This project has no saved workflows yet; save one first (workflows.save, see the README's Workflows section).",
        );
      }
      const picked = await vscode.window.showQuickPick(
        workflowPickItems(latest, Date.now()),
        {
          title: "Start a workflow run",
          placeHolder: "Which workflow? (its latest version)",
        },
      );
      if (picked === undefined) return;
      const workflow = await plane.query(api.workflows.get, {
        workflowId: picked.workflow._id,
      });
      const inputs = await askInputs(workflow);
      if (inputs === undefined) return;
      const runId = await plane.mutation(api.workflowRuns.start, {
        workflowId: workflow._id,
        ...(Object.keys(inputs).length === 0 ? {} : { inputs }),
      });
      vscode.window.setStatusBarMessage(
        `Switchboard: started ${runLabel(workflow)}`,
        5_000,
      );
      panels.open("run", { runId });
    },

    "switchboard.cancelWorkflowRun": async (arg?: unknown) => {
      const session = requireSession(plane);
      const ref =
        runRefFromArg(arg) ??
        (await pickRun(plane, session, {
          title: "Cancel a workflow run",
          which: (run) => run.status === "running",
          noneText: "No workflow run is running.",
        }));
      if (ref === undefined) return;
      const name = ref.run === undefined ? "this run" : runLabel(ref.run);
      const answer = await vscode.window.showWarningMessage(
        `Cancel ${name}?`,
        {
          modal: true,
          detail:
            "Its running steps stop, and their tasks and pending approvals are cancelled.",
        },
        CANCEL_RUN,
      );
      if (answer !== CANCEL_RUN) return;
      await plane.mutation(api.workflowRuns.cancel, { runId: ref.runId });
      vscode.window.setStatusBarMessage(
        `Switchboard: cancelled ${name}`,
        5_000,
      );
    },

    "switchboard.rerunWorkflowStep": async (arg?: unknown) => {
      const session = requireSession(plane);
      const step = stepRefFromArg(arg) ?? (await pickFailedStep(arg, session));
      if (step === undefined) return;
      await plane.mutation(api.workflowRuns.rerunStep, step);
      vscode.window.setStatusBarMessage(
        `Switchboard: rerunning step ${step.stepId}`,
        5_000,
      );
    },

    "switchboard.openRun": async (arg?: unknown) => {
      const session = requireSession(plane);
      const ref =
        runRefFromArg(arg) ??
        (await pickRun(plane, session, {
          title: "Open a workflow run",
          which: () => true,
          noneText: "This project has no workflow runs yet.",
        }));
      if (ref !== undefined) panels.open("run", { runId: ref.runId });
    },

    "switchboard.openBudgets": () => {
      panels.open("budgets");
      return Promise.resolve();
    },
  };

  /** A failed step of the run named by `arg`, else of a run the person picks. */
  async function pickFailedStep(
    arg: unknown,
    session: Session,
  ): Promise<StepRef | undefined> {
    const ref =
      runRefFromArg(arg) ??
      (await pickRun(plane, session, {
        title: "Rerun a failed step: which run?",
        which: (run) => run.status !== "cancelled",
        noneText: "No workflow run has a step to rerun.",
      }));
    if (ref === undefined) return undefined;
    const detail = await plane.query(api.workflowRuns.get, {
      runId: ref.runId,
    });
    const items = failedStepPickItems(detail);
    if (items.length === 0) {
      throw new UserError(`${runLabel(detail.run)} has no failed step.`);
    }
    const picked = await vscode.window.showQuickPick(items, {
      title: `Rerun a failed step of ${runLabel(detail.run)}`,
      placeHolder: "Which step? (the steps its failure skipped rerun too)",
      matchOnDescription: true,
    });
    return picked === undefined
      ? undefined
      : { runId: ref.runId, stepId: picked.stepId };
  }
}
