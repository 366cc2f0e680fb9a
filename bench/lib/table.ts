/** Renders rows of cells as one aligned plain-text table. */

export type Align = "left" | "right";
export type Column = { title: string; align: Align };

export function renderTable(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
): string {
  const widths = columns.map((column, i) =>
    Math.max(column.title.length, ...rows.map((row) => (row[i] ?? "").length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => {
        const width = widths[i] ?? 0;
        return columns[i]?.align === "right"
          ? cell.padStart(width)
          : cell.padEnd(width);
      })
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [
    line(columns.map((c) => c.title)),
    rule,
    ...rows.map((row) =>
      row.length === 0 ? "" : line(columns.map((_, i) => row[i] ?? "")),
    ),
  ].join("\n");
}
