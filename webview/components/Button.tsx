import type { ReactNode } from "react";
import { vsCodeButton } from "@vscode/webview-ui-toolkit";
import { wrap } from "./toolkit";
import "./components.css";

const VSCodeButton = wrap(vsCodeButton(), { name: "vscode-button" });

export interface ButtonProps {
  readonly children: ReactNode;
  readonly onClick?: () => void;
  /** "icon" is a borderless square button for a single glyph; give it a label. */
  readonly appearance?: "primary" | "secondary" | "icon";
  readonly disabled?: boolean;
  /** Accessible name when the visible content is not one (an icon, "×"). */
  readonly label?: string;
  readonly title?: string;
  readonly testId?: string;
  readonly className?: string;
}

export function Button({
  children,
  onClick,
  appearance = "primary",
  disabled = false,
  label,
  title,
  testId,
  className,
}: ButtonProps) {
  return (
    <VSCodeButton
      appearance={appearance}
      disabled={disabled}
      aria-label={label}
      title={title ?? label}
      data-testid={testId}
      className={className}
      // A disabled toolkit button can still see clicks on its host element.
      onClick={disabled ? undefined : onClick}
    >
      {children}
    </VSCodeButton>
  );
}
