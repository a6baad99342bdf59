/**
 * The kernel mask every ingest consumer asks for. The peers do not let a user choose it: fs.watch
 * and chokidar go through libuv, which asks for a fixed set of bits, and @parcel/watcher asks for
 * the same bits (plus the flag IN_EXCL_UNLINK). So the bench gives the C floor, inotify-ts and
 * inotifywait that same mask by default, and reads every consumer's real watch masks from
 * /proc/<pid>/fdinfo to show it.
 */

/** inotify event bits, as <sys/inotify.h> numbers them, with inotifywait's names for them. */
const BITS: readonly (readonly [bit: number, name: string, inotifywait: string])[] = [
  [0x1, 'IN_ACCESS', 'access'],
  [0x2, 'IN_MODIFY', 'modify'],
  [0x4, 'IN_ATTRIB', 'attrib'],
  [0x8, 'IN_CLOSE_WRITE', 'close_write'],
  [0x10, 'IN_CLOSE_NOWRITE', 'close_nowrite'],
  [0x20, 'IN_OPEN', 'open'],
  [0x40, 'IN_MOVED_FROM', 'moved_from'],
  [0x80, 'IN_MOVED_TO', 'moved_to'],
  [0x100, 'IN_CREATE', 'create'],
  [0x200, 'IN_DELETE', 'delete'],
  [0x400, 'IN_DELETE_SELF', 'delete_self'],
  [0x800, 'IN_MOVE_SELF', 'move_self'],
];

/** Flags a watch mask may carry besides event bits (IN_EXCL_UNLINK is the only one fdinfo shows). */
const FLAGS: readonly (readonly [bit: number, name: string])[] = [
  [0x04000000, 'IN_EXCL_UNLINK'],
  [0x20000000, 'IN_MASK_ADD'],
  [0x80000000, 'IN_ONESHOT'],
];

export const IN_MODIFY = 0x2;
export const IN_CLOSE_WRITE = 0x8;
export const IN_OPEN = 0x20;
export const IN_CREATE = 0x100;
export const IN_Q_OVERFLOW = 0x4000;
/** Every event bit. */
export const IN_ALL_EVENTS = 0xfff;

/**
 * libuv's mask (Node's fs.watch, and chokidar, which uses fs.watch): IN_MODIFY, IN_ATTRIB,
 * IN_MOVED_FROM, IN_MOVED_TO, IN_CREATE, IN_DELETE, IN_DELETE_SELF, IN_MOVE_SELF. @parcel/watcher
 * asks for the same event bits. Read from /proc/<pid>/fdinfo; the bench prints what it sees.
 */
export const PEER_MASK = 0xfc6;

/** What one producer operation (open, write one byte, close) queues, in the kernel's order. */
const STORM_OP: readonly number[] = [IN_OPEN, IN_MODIFY, IN_CLOSE_WRITE];

/** The events one producer operation queues on a watch with `mask`, in order. */
export function opOrder(mask: number): readonly number[] {
  return STORM_OP.filter((bit) => (mask & bit) !== 0);
}

/** `IN_MODIFY|IN_ATTRIB|…` for a mask; unknown bits as hex. */
export function maskNames(mask: number): string {
  const names: string[] = [];
  let rest = mask >>> 0;
  for (const [bit, name] of [...BITS.map(([b, n]) => [b, n] as const), ...FLAGS]) {
    if ((rest & bit) !== 0) {
      names.push(name);
      rest = (rest & ~bit) >>> 0;
    }
  }
  if (rest !== 0) names.push(`0x${rest.toString(16)}`);
  return names.length === 0 ? '0' : names.join('|');
}

/** `0xfc6`. */
export function maskHex(mask: number): string {
  return `0x${(mask >>> 0).toString(16)}`;
}

/**
 * inotifywait's arguments for `mask`: none for every event bit (its default), else one
 * `-e NAME` per bit. Throws a RangeError for a mask with no event bit.
 */
export function inotifywaitEventArgs(mask: number): string[] {
  const events = mask & IN_ALL_EVENTS;
  if (events === 0) throw new RangeError(`mask ${maskHex(mask)} has no event bit`);
  if (events === IN_ALL_EVENTS) return [];
  return BITS.filter(([bit]) => (events & bit) !== 0).flatMap(([, , name]) => ['-e', name]);
}

/**
 * The `--mask` option: `peers` (default, {@link PEER_MASK}), `all` (IN_ALL_EVENTS) or a number
 * (`0xfc6`). The mask must hold IN_MODIFY (latency pairs each write with its IN_MODIFY) and
 * IN_CREATE (the stop directory ends a run). Throws a RangeError saying what is wrong.
 */
export function parseMask(value: string | undefined): number {
  let mask: number;
  if (value === undefined || value === 'peers') mask = PEER_MASK;
  else if (value === 'all') mask = IN_ALL_EVENTS;
  else {
    mask = Number(value);
    if (!Number.isInteger(mask) || mask <= 0 || (mask & ~IN_ALL_EVENTS) !== 0) {
      throw new RangeError(
        `--mask must be peers, all or event bits such as 0xfc6, got ${JSON.stringify(value)}`,
      );
    }
  }
  for (const [bit, name] of [
    [IN_MODIFY, 'IN_MODIFY'],
    [IN_CREATE, 'IN_CREATE'],
  ] as const) {
    if ((mask & bit) === 0) throw new RangeError(`--mask ${maskHex(mask)} must include ${name}`);
  }
  return mask;
}
