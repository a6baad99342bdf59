import {
  IN_ACCESS,
  IN_ATTRIB,
  IN_CLOSE_NOWRITE,
  IN_CLOSE_WRITE,
  IN_CREATE,
  IN_DELETE,
  IN_DELETE_SELF,
  IN_DONT_FOLLOW,
  IN_EXCL_UNLINK,
  IN_IGNORED,
  IN_ISDIR,
  IN_MASK_ADD,
  IN_MASK_CREATE,
  IN_MODIFY,
  IN_MOVE_SELF,
  IN_MOVED_FROM,
  IN_MOVED_TO,
  IN_ONESHOT,
  IN_ONLYDIR,
  IN_OPEN,
  IN_Q_OVERFLOW,
  IN_UNMOUNT,
} from './constants.js';

/**
 * Every single-bit mask constant by name: the event bits and the watch flags. (IN_NONBLOCK
 * and IN_CLOEXEC are inotify_init1 flags, not mask bits; IN_CLOSE, IN_MOVE, IN_ALL_EVENTS
 * and the *_BITS / WATCH_FLAGS unions are not single bits.)
 */
const SINGLE_BITS: Readonly<Record<string, number>> = {
  IN_ACCESS,
  IN_MODIFY,
  IN_ATTRIB,
  IN_CLOSE_WRITE,
  IN_CLOSE_NOWRITE,
  IN_OPEN,
  IN_MOVED_FROM,
  IN_MOVED_TO,
  IN_CREATE,
  IN_DELETE,
  IN_DELETE_SELF,
  IN_MOVE_SELF,
  IN_UNMOUNT,
  IN_Q_OVERFLOW,
  IN_IGNORED,
  IN_ONLYDIR,
  IN_DONT_FOLLOW,
  IN_EXCL_UNLINK,
  IN_MASK_CREATE,
  IN_MASK_ADD,
  IN_ISDIR,
  IN_ONESHOT,
};

/** Bit index (0..31) to name; `undefined` where Linux defines no bit. */
const BIT_NAMES: readonly (string | undefined)[] = (() => {
  const names: (string | undefined)[] = new Array(32).fill(undefined);
  for (const [name, bit] of Object.entries(SINGLE_BITS)) names[31 - Math.clz32(bit)] = name;
  return names;
})();

/** How many distinct masks {@link maskNames} remembers (the kernel produces a few dozen). */
export const MASK_NAMES_CACHE_LIMIT = 4096;
const cache = new Map<number, readonly string[]>();

const unknownBit = (bit: number): string => `UNKNOWN(0x${((1 << bit) >>> 0).toString(16).padStart(8, '0')})`;

/**
 * The names of the bits set in `mask`, in ascending bit order: `maskNames(0x40000100)` is
 * `['IN_CREATE', 'IN_ISDIR']`.
 *
 * Every set bit is named; composite names (IN_CLOSE, IN_MOVE, IN_ALL_EVENTS) are never
 * used. A bit Linux does not define is reported, not dropped, as `UNKNOWN(0x00001000)`
 * (the bit's value, 8 hex digits) in its place in the order.
 *
 * The result is frozen, and the same array is returned for the same mask (for the first
 * {@link MASK_NAMES_CACHE_LIMIT} distinct masks; past that, masks not seen before get a
 * fresh frozen array each call, so that a stream of random masks cannot grow memory).
 * A negative mask (an Int32 reading) means the same bits as its unsigned value.
 *
 * @throws TypeError when `mask` is not an integer in [-2^31, 2^32).
 */
export function maskNames(mask: number): readonly string[] {
  const key = mask >>> 0;
  const cached = cache.get(key);
  if (cached !== undefined && (key === mask || (mask | 0) === mask)) return cached;
  if (!Number.isInteger(mask) || mask < -0x80000000 || mask > 0xffffffff) {
    throw new TypeError(`maskNames(mask): mask must be a 32-bit integer, got ${String(mask)}`);
  }
  if (cached !== undefined) return cached;
  const names: string[] = [];
  for (let rest = key; rest !== 0; rest = (rest & (rest - 1)) >>> 0) {
    const bit = 31 - Math.clz32(rest & -rest);
    names.push(BIT_NAMES[bit] ?? unknownBit(bit));
  }
  const frozen = Object.freeze(names);
  if (cache.size < MASK_NAMES_CACHE_LIMIT) cache.set(key, frozen);
  return frozen;
}
