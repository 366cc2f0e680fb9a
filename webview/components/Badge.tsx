/**
 * A small count, e.g. cards in a column. Styled like the toolkit's
 * `<vscode-badge>` but a plain span: that element's template carries an inline
 * `style` attribute, which our CSP (no 'unsafe-inline') reports as a violation.
 */
import type { ReactNode } from "react";
import "./components.css";

export function Badge({
  children,
  label,
}: {
  readonly children: ReactNode;
  readonly label?: string;
}) {
  return (
    <span className="sb-badge" aria-label={label} title={label}>
      {children}
    </span>
  );
}
