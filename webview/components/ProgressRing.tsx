/**
 * Spinners. Drawn with CSS like the toolkit's `<vscode-progress-ring>`, not with
 * it: every board column shows one while its first page loads, and creating
 * those web components was a measurable part of the board's first render.
 */
import "./components.css";

/** An indeterminate spinner with a text alternative. */
export function ProgressRing({
  label = "Loading",
}: {
  readonly label?: string;
}) {
  return (
    <span className="sb-progress" role="status">
      <span className="sb-spinner" aria-hidden="true" />
      <span className="sb-visually-hidden">{label}</span>
    </span>
  );
}

/** A spinner with a visible caption, for a whole view or section loading. */
export function Loading({ label = "Loading…" }: { readonly label?: string }) {
  return (
    <div className="sb-loading" role="status" aria-live="polite">
      <span className="sb-spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}
