/**
 * The frame around every view: waits for the host, shows "not signed in",
 * and once connected mounts the view under a ConvexProvider keyed by the
 * session generation (a reconnect or another identity starts from scratch).
 */
import { useMemo, useSyncExternalStore, type ReactNode } from "react";
import { ConvexProvider, type ConvexReactClient } from "convex/react";
import { Loading } from "../components/ProgressRing";
import { isBoardPreload, type BoardPreload, type ViewKind } from "../protocol";
import { ConnectionBanner } from "./ConnectionBanner";
import { ErrorBoundary } from "./ErrorBoundary";
import type { ViewSession } from "./session";
import { ViewEnvContext, type ViewEnv } from "./viewEnv";

const VIEW_TITLES: Record<ViewKind, string> = {
  board: "Task Board",
  task: "Task",
  thread: "Thread",
  approvals: "Approvals",
  run: "Workflow Run",
  budgets: "Budgets",
};

export function ViewRoot({
  session,
  view,
  children,
}: {
  readonly session: ViewSession<ConvexReactClient>;
  readonly view: ViewKind;
  readonly children: ReactNode;
}) {
  const state = useSyncExternalStore(session.subscribe, session.getState);
  const env = useMemo<ViewEnv | null>(
    () =>
      state.phase === "connected"
        ? {
            context: state.context,
            target: state.target,
            theme: state.init.theme,
            openView: session.openView,
            openSandbox: session.openSandbox,
            attachSandbox: session.attachSandbox,
            preload: preloadFor(state.init.preload, state.context.projectId),
          }
        : null,
    [state, session],
  );

  if (state.phase === "waiting") {
    return (
      <Loading label={`Connecting ${VIEW_TITLES[view]} to Switchboard…`} />
    );
  }
  if (state.phase === "signedOut" || env === null) {
    return <SignedOut />;
  }
  if (state.auth === "rejected") {
    return <SignedOut reason={state.authError} />;
  }
  return (
    <ConvexProvider client={state.client} key={state.generation}>
      <ViewEnvContext.Provider value={env}>
        <ConnectionBanner />
        <ErrorBoundary resetKey={String(state.generation)}>
          {children}
        </ErrorBoundary>
      </ViewEnvContext.Provider>
    </ConvexProvider>
  );
}

function SignedOut({ reason }: { readonly reason?: string }) {
  return (
    <div className="sb-empty" role="status" data-testid="view-signed-out">
      <h2>Not signed in</h2>
      <p>
        {reason ?? "Switchboard is not connected to a backend and project yet."}{" "}
        Run <strong>Switchboard: Show Status</strong> or{" "}
        <strong>Switchboard: Switch Backend</strong> from the Command Palette;
        this view updates by itself once you are connected.
      </p>
    </div>
  );
}

/** The host's preload, if well-formed and for the project the view shows. */
function preloadFor(
  preload: unknown,
  projectId: string,
): BoardPreload | undefined {
  return isBoardPreload(preload) && preload.projectId === projectId
    ? (preload as BoardPreload)
    : undefined;
}
