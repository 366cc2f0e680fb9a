/** The entry point every view's main.tsx calls. */
import { StrictMode, type ReactNode } from "react";
import { createRoot } from "react-dom/client";
import { ConvexReactClient } from "convex/react";
import { Endpoint, type ViewKind } from "../protocol";
import { ViewSession, type Prewarm } from "./session";
import { ViewRoot } from "./ViewRoot";
import { vscodeApi, windowTransport } from "./vscodeApi";
import "./base.css";

export function mountView(
  view: ViewKind,
  app: ReactNode,
  prewarm?: Prewarm<ConvexReactClient>,
): void {
  const root = document.getElementById("root");
  if (root === null) throw new Error("The webview HTML has no #root element");
  const endpoint = new Endpoint(windowTransport(vscodeApi(), window), {
    onInvalid: (value, reason) =>
      console.warn(`switchboard ${view}: ignored message (${reason})`, value),
  });
  const session = new ViewSession(
    endpoint,
    view,
    (url) =>
      new ConvexReactClient(url, {
        // The local backend and self-hosted deployments are not *.convex.cloud.
        skipConvexDeploymentUrlCheck: true,
        // A webview has no "leave page" moment a beforeunload prompt could help with.
        unsavedChangesWarning: false,
        // The host hands out a fresh token; fetching a second one right after
        // the first is confirmed would make the server re-run every query.
        initialAuthTokenReuse: true,
      }),
    prewarm,
  );
  createRoot(root).render(
    <StrictMode>
      <ViewRoot session={session} view={view}>
        {app}
      </ViewRoot>
    </StrictMode>,
  );
  session.start();
  window.addEventListener("pagehide", () => session.dispose());
}
