/**
 * A native `<select>` in VS Code's dropdown style. The toolkit's dropdown is a
 * listbox in a shadow root that keyboard and test tooling reach only partly;
 * the native one is fully accessible and `selectOption()` works on it.
 */
import "./components.css";

export interface SelectOption {
  readonly value: string;
  readonly label: string;
  readonly disabled?: boolean;
}

export interface SelectProps {
  readonly value: string;
  readonly options: readonly SelectOption[];
  readonly onChange: (value: string) => void;
  readonly label: string;
  readonly hideLabel?: boolean;
  readonly disabled?: boolean;
  readonly testId?: string;
  readonly className?: string;
}

export function Select({
  value,
  options,
  onChange,
  label,
  hideLabel = false,
  disabled = false,
  testId,
  className,
}: SelectProps) {
  const select = (
    <select
      className="sb-select"
      value={value}
      disabled={disabled}
      aria-label={hideLabel ? label : undefined}
      data-testid={testId}
      onChange={(event) => onChange(event.target.value)}
    >
      {options.map((option) => (
        <option
          key={option.value}
          value={option.value}
          disabled={option.disabled}
        >
          {option.label}
        </option>
      ))}
    </select>
  );
  if (hideLabel) {
    return <span className={`sb-field ${className ?? ""}`}>{select}</span>;
  }
  return (
    <label className={`sb-field ${className ?? ""}`}>
      <span className="sb-field__label">{label}</span>
      {select}
    </label>
  );
}
