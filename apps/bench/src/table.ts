/**
 * Plain-text tables for the terminal and for pasting into the README (the output is
 * valid GitHub-flavoured Markdown).
 */

/** One column: its header and whether cells are right-aligned (numbers) or left-aligned. */
export interface Column {
  /** Header text. */
  readonly header: string;
  /** `'right'` for figures, `'left'` (default) for names. */
  readonly align?: 'left' | 'right';
}

/**
 * Renders `rows` under `columns` as a Markdown table with padded cells, so it reads
 * well both raw and rendered. Throws a RangeError when a row's cell count differs
 * from the column count.
 */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  for (const [i, row] of rows.entries()) {
    if (row.length !== columns.length) {
      throw new RangeError(`renderTable: row ${i} has ${row.length} cells for ${columns.length} columns`);
    }
  }
  const widths = columns.map((c, j) => Math.max(3, c.header.length, ...rows.map((r) => r[j]!.length)));
  const pad = (text: string, j: number) =>
    columns[j]!.align === 'right' ? text.padStart(widths[j]!) : text.padEnd(widths[j]!);
  const line = (cells: readonly string[]) => `| ${cells.map(pad).join(' | ')} |`;
  const rule = `|${columns.map((c, j) => (c.align === 'right' ? `${'-'.repeat(widths[j]! + 1)}:` : '-'.repeat(widths[j]! + 2))).join('|')}|`;
  return [line(columns.map((c) => c.header)), rule, ...rows.map(line)].join('\n');
}

/** A figure with `digits` decimals, or `fallback` (default `'n/a'`) when it is null. */
export function fmt(value: number | null, digits = 1, fallback = 'n/a'): string {
  return value === null ? fallback : value.toFixed(digits);
}

/** An integer with thousands separators (`1,234,567`), or `fallback` when null. */
export function fmtInt(value: number | null, fallback = 'n/a'): string {
  return value === null ? fallback : Math.round(value).toLocaleString('en-US');
}

/** `value / base` as `1.23x`, or `fallback` when either is null or the base is 0. */
export function fmtRatio(value: number | null, base: number | null, fallback = 'n/a'): string {
  return value === null || base === null || base === 0 ? fallback : `${(value / base).toFixed(2)}x`;
}

/** Lines `- label: reason` under a table, for the rows that were skipped. */
export function skipNotes(
  rows: readonly { readonly label: string; readonly skipped: string | null }[],
): string {
  return rows
    .filter((r) => r.skipped !== null)
    .map((r) => `\n- ${r.label}: not measured: ${r.skipped}`)
    .join('');
}
