/**
 * A label chip. A plain span styled like the toolkit's `<vscode-tag>`: board
 * cards show several each and a custom element per chip would make scrolling a
 * virtualized column of thousands of cards measurably slower.
 */
import type { ReactNode } from "react";
import "./components.css";

export function Tag({
  children,
  tone = "default",
  title,
}: {
  readonly children: ReactNode;
  readonly tone?: "default" | "warning" | "error" | "info" | "success";
  readonly title?: string;
}) {
  return (
    <span className={`sb-tag sb-tag--${tone}`} title={title}>
      {children}
    </span>
  );
}
