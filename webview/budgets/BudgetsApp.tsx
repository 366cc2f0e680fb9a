/**
 * Every budget envelope of the org, live, as bars of spend against limit,
 * with the names of what each envelope covers. Names come from the org's
 * projects and agents and this project's newest runs; an envelope whose
 * target is not among them still shows, under a short id.
 */
import { useMemo } from "react";
import { useQuery } from "convex/react";
import { api } from "../../convex/_generated/api";
import { Loading } from "../components/ProgressRing";
import { asId } from "../shared/ids";
import { useViewEnv } from "../shared/viewEnv";
import { BudgetChart } from "./BudgetChart";
import {
  chartRows,
  chartSummary,
  WARN_PERCENT,
  type TargetNames,
} from "./budgetModel";

export function BudgetsApp() {
  const { context } = useViewEnv();
  const orgId = asId<"orgs">(context.orgId);
  const budgets = useQuery(api.budgets.list, { orgId });
  const orgs = useQuery(api.orgs.listMine, {});
  const projects = useQuery(api.projects.list, { orgId });
  const agents = useQuery(api.agents.list, { orgId });
  const runs = useQuery(api.workflowRuns.list, {
    projectId: asId<"projects">(context.projectId),
  });
  const names = useMemo<TargetNames>(
    () => ({
      org: orgs?.find((org) => org.orgId === context.orgId)?.name,
      projects: new Map((projects ?? []).map((p) => [p._id, p.name])),
      agents: new Map((agents ?? []).map((a) => [a._id, a.name])),
      runs: new Map(
        (runs ?? []).map((r) => [r._id, `${r.name} v${r.version}`]),
      ),
    }),
    [orgs, projects, agents, runs, context.orgId],
  );
  const rows = useMemo(
    () => (budgets === undefined ? undefined : chartRows(budgets, names)),
    [budgets, names],
  );

  if (rows === undefined) return <Loading label="Loading budgets…" />;
  const summary = chartSummary(rows);
  return (
    <article className="budgets" data-testid="budgets">
      <header className="budgets__header">
        <h1>Budgets{names.org === undefined ? "" : ` of ${names.org}`}</h1>
        <p className="sb-muted">
          Spend against each envelope's limit. The line marks {WARN_PERCENT}%,
          where people are told; at 100% no new work the envelope covers is
          started until the limit is raised.
          {summary === "" ? "" : ` Now: ${summary}.`}
        </p>
      </header>
      {rows.length === 0 ? (
        <div className="sb-empty" data-testid="budgets-empty">
          <h2>No budgets set</h2>
          <p>
            An admin sets envelopes per org, project, agent or workflow run
            (budgets.set); they show up here with their spend as it happens.
          </p>
        </div>
      ) : (
        <BudgetChart rows={rows} />
      )}
    </article>
  );
}
