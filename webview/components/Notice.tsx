/**
 * An inline message: errors are announced (role="alert"), info is polite.
 * The dismiss glyph comes from CSS so the notice's text is only the message.
 */
import type { ReactNode } from "react";
import "./components.css";

export interface NoticeProps {
  readonly children: ReactNode;
  readonly tone?: "error" | "warning" | "info";
  readonly onDismiss?: () => void;
  readonly testId?: string;
}

export function Notice({
  children,
  tone = "error",
  onDismiss,
  testId,
}: NoticeProps) {
  return (
    <div
      className={`sb-notice sb-notice--${tone}`}
      role={tone === "info" ? "status" : "alert"}
      data-testid={testId}
    >
      <span className="sb-notice__text">{children}</span>
      {onDismiss === undefined ? null : (
        <button
          type="button"
          className="sb-notice__dismiss"
          aria-label="Dismiss"
          title="Dismiss"
          onClick={onDismiss}
        />
      )}
    </div>
  );
}
