import { describe, expect, it } from 'vitest';
import { escapeControl, pythonListRepr, pythonTimestamp } from './formats.js';

describe('pythonTimestamp', () => {
  it('prints local time with a comma before three digits of milliseconds, as Python logging does', () => {
    const date = new Date(2015, 3, 24, 5, 2, 6, 7);
    expect(pythonTimestamp(date)).toBe('2015-04-24 05:02:06,007');
  });

  it('pads every field, at the end of a year too', () => {
    expect(pythonTimestamp(new Date(1999, 11, 31, 23, 59, 59, 999))).toBe('1999-12-31 23:59:59,999');
  });
});

describe('pythonListRepr', () => {
  it("prints names like Python's repr of a list of str", () => {
    expect(pythonListRepr(['IN_CREATE'])).toBe("['IN_CREATE']");
    expect(pythonListRepr(['IN_CREATE', 'IN_ISDIR'])).toBe("['IN_CREATE', 'IN_ISDIR']");
  });

  it('prints an empty list as []', () => {
    expect(pythonListRepr([])).toBe('[]');
  });
});

describe('escapeControl', () => {
  it('leaves ordinary names, quotes, non-ASCII and U+FFFD alone', () => {
    expect(escapeControl(`aa "b" 'c' 新增資料夾 \uFFFD`)).toBe(`aa "b" 'c' 新增資料夾 \uFFFD`);
  });

  it('escapes newlines, tabs, escape sequences and C1 controls so a name stays on one line', () => {
    expect(escapeControl('a\nb\tc\rd\x1b[31me\x7f\u0085')).toBe('a\\nb\\tc\\rd\\x1b[31me\\x7f\\x85');
  });
});
