import { vsCodeProgressRing } from "@vscode/webview-ui-toolkit";
import { wrap } from "./toolkit";
import "./components.css";

const VSCodeProgressRing = wrap(vsCodeProgressRing(), {
  name: "vscode-progress-ring",
});

/** An indeterminate spinner with a text alternative. */
export function ProgressRing({
  label = "Loading",
}: {
  readonly label?: string;
}) {
  return (
    <span className="sb-progress" role="status">
      <VSCodeProgressRing aria-hidden="true" />
      <span className="sb-visually-hidden">{label}</span>
    </span>
  );
}

/** A spinner with a visible caption, for a whole view or section loading. */
export function Loading({ label = "Loading…" }: { readonly label?: string }) {
  return (
    <div className="sb-loading" role="status" aria-live="polite">
      <VSCodeProgressRing aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}
