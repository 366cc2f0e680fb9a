/** A native `<textarea>` in VS Code's input style (see TextField for why native). */
import type { KeyboardEvent } from "react";
import "./components.css";

export interface TextAreaProps {
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly label: string;
  readonly hideLabel?: boolean;
  readonly placeholder?: string;
  readonly rows?: number;
  readonly disabled?: boolean;
  readonly testId?: string;
  readonly maxLength?: number;
  readonly onKeyDown?: (event: KeyboardEvent<HTMLTextAreaElement>) => void;
  readonly describedBy?: string;
}

export function TextArea({
  value,
  onChange,
  label,
  hideLabel = false,
  placeholder,
  rows = 3,
  disabled = false,
  testId,
  maxLength,
  onKeyDown,
  describedBy,
}: TextAreaProps) {
  const area = (
    <textarea
      className="sb-input sb-textarea"
      value={value}
      rows={rows}
      placeholder={placeholder}
      disabled={disabled}
      maxLength={maxLength}
      aria-label={hideLabel ? label : undefined}
      aria-describedby={describedBy}
      data-testid={testId}
      onChange={(event) => onChange(event.target.value)}
      onKeyDown={onKeyDown}
    />
  );
  if (hideLabel) return area;
  return (
    <label className="sb-field">
      <span className="sb-field__label">{label}</span>
      {area}
    </label>
  );
}
