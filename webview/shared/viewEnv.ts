/** What every view component may need from its host, without prop drilling. */
import { createContext, useContext } from "react";
import type {
  BoardPreload,
  ThemeKind,
  ViewContext,
  ViewKind,
  ViewTarget,
} from "../protocol";

export interface ViewEnv {
  readonly context: ViewContext;
  readonly target: ViewTarget;
  readonly theme: ThemeKind;
  /** Opens (or reveals) another view in VS Code, e.g. a card's Task detail. */
  readonly openView: (view: ViewKind, target: ViewTarget) => void;
  /** Asks the host to open a sandbox for a task (it asks for branch and agent). */
  readonly openSandbox: (taskId: string) => void;
  /** Asks the host to open a ready sandbox in VS Code. */
  readonly attachSandbox: (sandboxId: string) => void;
  /** Board only: first pages the host sent with init, for this project; live queries replace them. */
  readonly preload?: BoardPreload;
}

export const ViewEnvContext = createContext<ViewEnv | null>(null);

export function useViewEnv(): ViewEnv {
  const env = useContext(ViewEnvContext);
  if (env === null) throw new Error("useViewEnv outside a connected view");
  return env;
}
