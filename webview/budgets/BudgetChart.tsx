/**
 * Spend against each envelope's limits as horizontal bars: a track for the
 * limit, a fill for the spend (clamped at the end of the track; the words
 * say by how much it is over), and a line at the warning threshold.
 *
 * Hand-written SVG rather than a chart library: none is installed, each
 * webview bundle has a size budget (scripts/build.mjs), and our CSP allows
 * no inline <style> elements, which chart libraries commonly inject. A few
 * rects per bar are all this needs; their colours come from CSS classes in
 * VS Code's theme tokens.
 */
import { Tag } from "../components/Tag";
import {
  SCOPE_ORDER,
  SCOPE_TITLES,
  WARN_PERCENT,
  type BarModel,
  type EnvelopeRow,
  type Level,
} from "./budgetModel";

const LEVEL_TAGS: Readonly<
  Record<Level, { label: string; tone: "default" | "warning" | "error" }>
> = {
  ok: { label: "OK", tone: "default" },
  warned: { label: `Past ${WARN_PERCENT}%`, tone: "warning" },
  exhausted: { label: "Exhausted", tone: "error" },
};

const DIMENSION_LABELS = { tokens: "Tokens", usd: "USD" } as const;

function Bar({ bar }: { readonly bar: BarModel }) {
  const words = `${bar.text} (${bar.percentText})${bar.overText === undefined ? "" : `, ${bar.overText}`}`;
  return (
    <div
      className={`budget-bar budget-bar--${bar.level}`}
      data-testid="budget-bar"
      data-dimension={bar.dimension}
      data-level={bar.level}
    >
      <span className="budget-bar__label">
        {DIMENSION_LABELS[bar.dimension]}
      </span>
      <svg
        className="budget-bar__svg"
        viewBox="0 0 100 10"
        preserveAspectRatio="none"
        role="img"
        aria-label={`${DIMENSION_LABELS[bar.dimension]}: ${words}`}
      >
        <rect
          className="budget-bar__track"
          x={0}
          y={0}
          width={100}
          height={10}
        />
        <rect
          className="budget-bar__fill"
          x={0}
          y={0}
          width={bar.fillPercent}
          height={10}
          data-testid="budget-fill"
        />
        <line
          className="budget-bar__warn"
          x1={WARN_PERCENT}
          x2={WARN_PERCENT}
          y1={0}
          y2={10}
          vectorEffect="non-scaling-stroke"
          data-testid="budget-warn-line"
        />
      </svg>
      <span className="budget-bar__value">{words}</span>
    </div>
  );
}

function Envelope({ row }: { readonly row: EnvelopeRow }) {
  const tag = LEVEL_TAGS[row.level];
  return (
    <li
      className={`budget budget--${row.level}`}
      data-testid="budget-row"
      data-level={row.level}
    >
      <div className="sb-row budget__head">
        <span className="budget__name">{row.name}</span>
        <span className="sb-muted">{row.periodText}</span>
        {row.level === "ok" ? null : <Tag tone={tag.tone}>{tag.label}</Tag>}
      </div>
      {row.unlimitedText === undefined ? null : (
        <p className="sb-muted budget__unlimited">{row.unlimitedText}</p>
      )}
      {row.bars.map((bar) => (
        <Bar key={bar.dimension} bar={bar} />
      ))}
    </li>
  );
}

export function BudgetChart({
  rows,
}: {
  readonly rows: readonly EnvelopeRow[];
}) {
  return (
    <div className="budgets__chart" data-testid="budget-chart">
      {SCOPE_ORDER.map((scope) => {
        const group = rows.filter((row) => row.scope === scope);
        if (group.length === 0) return null;
        return (
          <section
            key={scope}
            className="sb-section"
            aria-labelledby={`budgets-${scope}`}
          >
            <h2 id={`budgets-${scope}`}>{SCOPE_TITLES[scope]}</h2>
            <ul className="budgets__list">
              {group.map((row) => (
                <Envelope key={row.id} row={row} />
              ))}
            </ul>
          </section>
        );
      })}
    </div>
  );
}
