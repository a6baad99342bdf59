import { describe, expect, it } from 'vitest';
import { fmt, fmtInt, fmtRatio, renderTable, skipNotes } from './table.js';

describe('renderTable', () => {
  it('pads cells to the widest entry and right-aligns figures', () => {
    const text = renderTable(
      [{ header: 'consumer' }, { header: 'ms', align: 'right' }],
      [
        ['C', '1.5'],
        ['inotifywait', '12.0'],
      ],
    );
    expect(text.split('\n')).toEqual([
      '| consumer    |   ms |',
      '|-------------|-----:|',
      '| C           |  1.5 |',
      '| inotifywait | 12.0 |',
    ]);
  });

  it('throws a RangeError naming the row whose cell count is wrong', () => {
    expect(() => renderTable([{ header: 'a' }], [['x', 'y']])).toThrow(
      new RangeError('renderTable: row 0 has 2 cells for 1 columns'),
    );
  });
});

describe('formatting', () => {
  it('prints n/a for a figure that was not measured', () => {
    expect(fmt(null)).toBe('n/a');
    expect(fmtInt(null)).toBe('n/a');
    expect(fmtRatio(null, 2)).toBe('n/a');
  });

  it('formats decimals, thousands and ratios', () => {
    expect(fmt(1.25, 2)).toBe('1.25');
    expect(fmtInt(1234567.4)).toBe('1,234,567');
    expect(fmtRatio(3, 2)).toBe('1.50x');
  });

  it('does not divide by a zero base', () => {
    expect(fmtRatio(3, 0)).toBe('n/a');
  });
});

describe('skipNotes', () => {
  it('lists only the skipped rows, with their reasons', () => {
    expect(
      skipNotes([
        { label: 'a', skipped: null },
        { label: 'inotifywait -m', skipped: 'not installed' },
      ]),
    ).toBe('\n- inotifywait -m: not measured: not installed');
  });
});
