/**
 * Text entry is a native `<input>` styled with VS Code's input tokens, not the
 * toolkit's `<vscode-text-field>`: the toolkit keeps its input in a shadow root,
 * so labels, `form` semantics and Playwright's `fill()` do not reach it, and it
 * costs a custom element per field. It looks the same in every theme.
 */
import type { KeyboardEvent } from "react";
import "./components.css";

export interface TextFieldProps {
  readonly value: string;
  readonly onChange: (value: string) => void;
  /** Accessible name; also the visible label unless `hideLabel`. */
  readonly label: string;
  readonly hideLabel?: boolean;
  readonly placeholder?: string;
  readonly type?: "text" | "search";
  readonly disabled?: boolean;
  readonly testId?: string;
  readonly id?: string;
  readonly maxLength?: number;
  readonly onKeyDown?: (event: KeyboardEvent<HTMLInputElement>) => void;
  readonly className?: string;
}

export function TextField({
  value,
  onChange,
  label,
  hideLabel = false,
  placeholder,
  type = "text",
  disabled = false,
  testId,
  id,
  maxLength,
  onKeyDown,
  className,
}: TextFieldProps) {
  const input = (
    <input
      id={id}
      className="sb-input"
      type={type}
      value={value}
      placeholder={placeholder}
      disabled={disabled}
      maxLength={maxLength}
      aria-label={hideLabel ? label : undefined}
      data-testid={testId}
      spellCheck={false}
      onChange={(event) => onChange(event.target.value)}
      onKeyDown={onKeyDown}
    />
  );
  if (hideLabel) {
    return <span className={`sb-field ${className ?? ""}`}>{input}</span>;
  }
  return (
    <label className={`sb-field ${className ?? ""}`}>
      <span className="sb-field__label">{label}</span>
      {input}
    </label>
  );
}
