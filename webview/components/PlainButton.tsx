/**
 * A native <button> that looks like the toolkit's, for views whose first
 * render is budgeted (the Task Board). The toolkit's button pulls in FAST and
 * its design system, whose registration and element upgrade cost ~65 ms of
 * the board's first render here (bench:extension, 10 loads each way); the
 * other views keep the toolkit's Button. Same props as Button.
 */
import type { ButtonProps } from "./Button";
import "./components.css";

export function PlainButton({
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
    <button
      type="button"
      className={`sb-button sb-button--${appearance}${className === undefined ? "" : ` ${className}`}`}
      disabled={disabled}
      aria-label={label}
      title={title ?? label}
      data-testid={testId}
      onClick={disabled ? undefined : onClick}
    >
      {children}
    </button>
  );
}
