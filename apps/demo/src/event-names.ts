/**
 * Event names on the command line: inotifywait's lower-case names (`-e close_write`) and the
 * facade's `IN_*` constants (`-e IN_CLOSE_WRITE`), turned into a watch mask.
 */
import * as facade from '@inotify-ts/inotify';
import {
  IN_ACCESS,
  IN_ALL_EVENTS,
  IN_ATTRIB,
  IN_CLOSE,
  IN_CLOSE_NOWRITE,
  IN_CLOSE_WRITE,
  IN_CREATE,
  IN_DELETE,
  IN_DELETE_SELF,
  IN_MODIFY,
  IN_MOVE,
  IN_MOVE_SELF,
  IN_MOVED_FROM,
  IN_MOVED_TO,
  IN_OPEN,
  IN_UNMOUNT,
  maskNames,
} from '@inotify-ts/inotify';

/** inotifywait's event names (`man inotifywait`, EVENTS) and the mask each one watches. */
export const INOTIFYWAIT_EVENTS: ReadonlyMap<string, number> = new Map([
  ['access', IN_ACCESS],
  ['modify', IN_MODIFY],
  ['attrib', IN_ATTRIB],
  ['close_write', IN_CLOSE_WRITE],
  ['close_nowrite', IN_CLOSE_NOWRITE],
  ['close', IN_CLOSE],
  ['open', IN_OPEN],
  ['moved_to', IN_MOVED_TO],
  ['moved_from', IN_MOVED_FROM],
  ['move', IN_MOVE],
  ['move_self', IN_MOVE_SELF],
  ['create', IN_CREATE],
  ['delete', IN_DELETE],
  ['delete_self', IN_DELETE_SELF],
  ['unmount', IN_UNMOUNT],
]);

/** Every `IN_*` constant the facade exports, by name. */
function facadeConstant(name: string): number | undefined {
  if (!/^IN_[A-Z_]+$/.test(name)) return undefined;
  const value = (facade as unknown as Record<string, unknown>)[name];
  return typeof value === 'number' ? value : undefined;
}

/**
 * The mask for one `-e` value: an inotifywait name (any case) or an `IN_*` constant, or several
 * of them separated by commas, as inotifywait allows (`-e create,delete`).
 *
 * @param value - the option's value.
 * @returns the mask, or an error message naming the unknown word and the known ones.
 */
export function eventMask(value: string): number | { readonly error: string } {
  let mask = 0;
  for (const word of value.split(',')) {
    const trimmed = word.trim();
    const bits = INOTIFYWAIT_EVENTS.get(trimmed.toLowerCase()) ?? facadeConstant(trimmed.toUpperCase());
    if (bits === undefined) {
      const known = [...INOTIFYWAIT_EVENTS.keys()].join(', ');
      return { error: `unknown event '${trimmed}': use one of ${known}, or an IN_* constant` };
    }
    mask |= bits;
  }
  return mask;
}

/** The mask watched when no `-e` is given: every event, as the original example's `add_watch` does. */
export const DEFAULT_MASK: number = IN_ALL_EVENTS;

/**
 * The short lower-case name of one mask bit, as inotifywait and inotifywatch print it
 * (`IN_CLOSE_WRITE` -> `close_write`, `IN_Q_OVERFLOW` -> `q_overflow`).
 *
 * @param bit - a single bit.
 */
export function shortName(bit: number): string {
  const name = maskNames(bit)[0];
  return name === undefined ? `0x${bit.toString(16)}` : name.replace(/^IN_/, '').toLowerCase();
}

/**
 * The event bits and names inotifywait prints, in its order (libinotifytools'
 * `inotifytools_event_to_str_sep`): not bit order, and `CLOSE` follows either close event.
 */
const INOTIFYWAIT_ORDER: readonly (readonly [number, string])[] = [
  [IN_ACCESS, 'ACCESS'],
  [IN_MODIFY, 'MODIFY'],
  [IN_ATTRIB, 'ATTRIB'],
  [IN_CLOSE_WRITE, 'CLOSE_WRITE'],
  [IN_CLOSE_NOWRITE, 'CLOSE_NOWRITE'],
  [IN_OPEN, 'OPEN'],
  [IN_MOVED_FROM, 'MOVED_FROM'],
  [IN_MOVED_TO, 'MOVED_TO'],
  [IN_CREATE, 'CREATE'],
  [IN_DELETE, 'DELETE'],
  [IN_DELETE_SELF, 'DELETE_SELF'],
  [IN_UNMOUNT, 'UNMOUNT'],
  [facade.IN_Q_OVERFLOW, 'Q_OVERFLOW'],
  [facade.IN_IGNORED, 'IGNORED'],
  [IN_CLOSE, 'CLOSE'],
  [IN_MOVE_SELF, 'MOVE_SELF'],
  [facade.IN_ISDIR, 'ISDIR'],
  [facade.IN_ONESHOT, 'ONESHOT'],
];

/**
 * A mask as inotifywait's `%e` prints it: `CLOSE_WRITE,CLOSE`, with `separator` between names,
 * or `0x0000abcd` when no name applies.
 *
 * @param mask - the event's mask.
 * @param separator - `,` for `%e`; the character X of `%Xe`.
 */
export function inotifywaitNames(mask: number, separator = ','): string {
  const names = INOTIFYWAIT_ORDER.filter(([bit]) => (mask & bit) !== 0).map(([, name]) => name);
  return names.length > 0 ? names.join(separator) : `0x${(mask >>> 0).toString(16).padStart(8, '0')}`;
}
