/** An aligned plain-text table; `rightAligned` lists numeric columns by index. */
export function renderTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  rightAligned: readonly number[] = [],
): string {
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ""))));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => {
        const pad = " ".repeat(widths[i]! - width(c));
        return rightAligned.includes(i) ? pad + c : i === cells.length - 1 ? c : c + pad;
      })
      .join("  ");
  return [line(header), ...rows.map(line)].join("\n");
}

/** Display width, counting each code point once (wide CJK glyphs are rare in lease names). */
function width(s: string): number {
  return [...s].length;
}
