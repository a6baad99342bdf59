import { describe, expect, it } from 'vitest';
import {
  IN_ACCESS,
  IN_CREATE,
  IN_ISDIR,
  IN_ONESHOT,
  MASK_NAMES_CACHE_LIMIT,
  maskNames,
} from '../src/index.js';

describe('maskNames', () => {
  it('names the bits of a mask in ascending bit order', () => {
    expect(maskNames(IN_ISDIR | IN_CREATE)).toEqual(['IN_CREATE', 'IN_ISDIR']);
    expect(maskNames(0x00000fff)).toEqual([
      'IN_ACCESS',
      'IN_MODIFY',
      'IN_ATTRIB',
      'IN_CLOSE_WRITE',
      'IN_CLOSE_NOWRITE',
      'IN_OPEN',
      'IN_MOVED_FROM',
      'IN_MOVED_TO',
      'IN_CREATE',
      'IN_DELETE',
      'IN_DELETE_SELF',
      'IN_MOVE_SELF',
    ]);
    expect(maskNames(0xf700e000)).toEqual([
      'IN_UNMOUNT',
      'IN_Q_OVERFLOW',
      'IN_IGNORED',
      'IN_ONLYDIR',
      'IN_DONT_FOLLOW',
      'IN_EXCL_UNLINK',
      'IN_MASK_CREATE',
      'IN_MASK_ADD',
      'IN_ISDIR',
      'IN_ONESHOT',
    ]);
  });

  it('returns an empty array for mask 0', () => {
    expect(maskNames(0)).toEqual([]);
  });

  it('returns the same frozen array for the same mask', () => {
    const names = maskNames(IN_CREATE | IN_ISDIR);
    expect(Object.isFrozen(names)).toBe(true);
    expect(maskNames(IN_CREATE | IN_ISDIR)).toBe(names);
    expect(() => (names as string[]).push('x')).toThrow(TypeError);
  });

  it('reports bits Linux does not define as UNKNOWN(0x...) in their place in the order', () => {
    expect(maskNames(IN_ACCESS | 0x1000 | 0x00010000 | 0x08000000 | IN_ONESHOT)).toEqual([
      'IN_ACCESS',
      'UNKNOWN(0x00001000)',
      'UNKNOWN(0x00010000)',
      'UNKNOWN(0x08000000)',
      'IN_ONESHOT',
    ]);
  });

  it('treats a negative mask (an Int32 reading) as its unsigned bits', () => {
    expect(maskNames(-2147483648)).toBe(maskNames(0x80000000));
    expect(maskNames(-1)).toHaveLength(32);
  });

  it('throws a TypeError for a mask that is not a 32-bit integer', () => {
    for (const bad of [1.5, Number.NaN, 2 ** 32, -(2 ** 31) - 1]) {
      expect(() => maskNames(bad)).toThrow(TypeError);
    }
    expect(() => maskNames(1.5)).toThrow('maskNames(mask): mask must be a 32-bit integer, got 1.5');
  });

  it('keeps returning correct frozen arrays after the cache is full', () => {
    for (let i = 0; i < MASK_NAMES_CACHE_LIMIT + 10; i++) maskNames((0x10000 + i * 0x10000) >>> 0);
    const late = (0x10000 + (MASK_NAMES_CACHE_LIMIT + 5) * 0x10000) >>> 0;
    const names = maskNames(late);
    expect(Object.isFrozen(names)).toBe(true);
    expect(names.join()).toBe(maskNames(late).join());
    expect(maskNames(IN_CREATE | IN_ISDIR)).toBe(maskNames(IN_CREATE | IN_ISDIR));
  });
});
