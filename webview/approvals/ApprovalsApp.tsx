/**
 * The Approvals inbox: pending requests first (oldest first: they expire
 * first), then recently decided ones, and the selected request's details.
 * `target.approvalId` (a notification, a task's approval link) preselects.
 */
import { useEffect, useMemo, useState } from "react";
import { useQuery } from "convex/react";
import { api } from "../../convex/_generated/api";
import type { Doc } from "../../convex/_generated/dataModel";
import type { ApprovalStatus } from "../../convex/validators";
import { ErrorBoundary } from "../shared/ErrorBoundary";
import { asId } from "../shared/ids";
import { usePeople } from "../shared/people";
import { useNow } from "../shared/useNow";
import { useViewEnv } from "../shared/viewEnv";
import { ApprovalDetail } from "./ApprovalDetail";
import { ApprovalList } from "./ApprovalList";
import { mergeDecided } from "./approvalModel";

const RECENT = 30;
const FIRST_PAGE = { numItems: 15, cursor: null };

function useDecided(projectId: string, status: ApprovalStatus) {
  return useQuery(api.approvals.list, {
    projectId: asId<"projects">(projectId),
    status,
    paginationOpts: FIRST_PAGE,
  })?.page;
}

export function ApprovalsApp() {
  const { context, target } = useViewEnv();
  const { projectId } = context;
  const people = usePeople(projectId);
  const now = useNow(15_000);
  const pending = useQuery(api.approvals.listPending, {
    projectId: asId<"projects">(projectId),
    limit: 50,
  });
  const approved = useDecided(projectId, "approved");
  const rejected = useDecided(projectId, "rejected");
  const expired = useDecided(projectId, "expired");
  const cancelled = useDecided(projectId, "cancelled");
  const decided = useMemo<Doc<"approvals">[]>(
    () => mergeDecided([approved, rejected, expired, cancelled], RECENT),
    [approved, rejected, expired, cancelled],
  );

  const [selected, setSelected] = useState<string | null>(
    target.approvalId ?? null,
  );
  // A new target (another notification clicked) wins over the current pick.
  useEffect(() => {
    if (target.approvalId !== undefined) setSelected(target.approvalId);
  }, [target.approvalId]);
  // Nothing picked yet: the oldest pending request, else the latest decision.
  const fallback = pending?.approvals[0]?._id ?? decided[0]?._id ?? null;
  const current = selected ?? fallback;

  return (
    <div className="inbox" data-testid="approvals-inbox">
      <ApprovalList
        pending={pending?.approvals}
        pendingHasMore={pending?.hasMore ?? false}
        decided={decided}
        decidedLoading={approved === undefined || rejected === undefined}
        selected={current}
        onSelect={setSelected}
        people={people}
        now={now}
      />
      <div className="inbox__detail">
        {current === null ? (
          <div className="sb-empty">
            <h2>Nothing to decide</h2>
            <p>
              Approval requests from agents and people in this project show up
              here as they arrive.
            </p>
          </div>
        ) : (
          <ErrorBoundary what="the approval" resetKey={current}>
            <ApprovalDetail
              key={current}
              approvalId={current}
              people={people}
              now={now}
            />
          </ErrorBoundary>
        )}
      </div>
    </div>
  );
}
