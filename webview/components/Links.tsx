/**
 * Two kinds of links: `LinkButton` opens something inside VS Code (another
 * view) and is a real button for keyboard users; `ExternalLink` is an `<a>`
 * VS Code opens in the browser, rendered only for http(s) URLs.
 */
import type { ReactNode } from "react";
import { safeExternalUrl } from "../shared/format";
import "./components.css";

export function LinkButton({
  children,
  onClick,
  title,
  testId,
}: {
  readonly children: ReactNode;
  readonly onClick: () => void;
  readonly title?: string;
  readonly testId?: string;
}) {
  return (
    <button
      type="button"
      className="sb-link"
      title={title}
      data-testid={testId}
      onClick={onClick}
    >
      {children}
    </button>
  );
}

export function ExternalLink({ href }: { readonly href: string }) {
  const safe = safeExternalUrl(href);
  if (safe === null) return <span className="sb-mono">{href}</span>;
  return (
    <a className="sb-link" href={safe} rel="noreferrer noopener">
      {href}
    </a>
  );
}
