import type { EventBatch } from '@inotify-ts/decoder';
import { maskNames } from '@inotify-ts/decoder';

/**
 * The fixed part of the kernel's `struct inotify_event`, as the Python package's `header` tuple.
 *
 * `len` is the kernel's padded name length (a multiple of 16, `0` for events on the watched
 * path itself), not the length of `filename`.
 */
export interface InotifyEventHeader {
  /** Watch descriptor the event belongs to; `-1` for `IN_Q_OVERFLOW`. */
  readonly wd: number;
  /** Event bits (unsigned 32-bit). `typeNames` names them. */
  readonly mask: number;
  /** Pairs `IN_MOVED_FROM` with its `IN_MOVED_TO`; `0` for every other event. */
  readonly cookie: number;
  /** Padded name length as the kernel reports it. */
  readonly len: number;
}

/**
 * One inotify event.
 *
 * `path` is the path the watch was added with (resolved from `wd` when the consumer pulls the
 * event, so a recursive tree that renames a directory between two events reports the new path),
 * `''` for `IN_Q_OVERFLOW`. `filename` is the name inside that directory, `''` for events on the
 * watched path itself. A name that is not valid UTF-8 has U+FFFD in `filename`; `filenameBytes`
 * always holds the kernel's exact bytes (without NUL padding) and stays valid forever.
 */
export interface InotifyEvent {
  readonly header: InotifyEventHeader;
  /** `maskNames(header.mask)`: names in ascending bit order, a frozen array shared between events. */
  readonly typeNames: readonly string[];
  readonly path: string;
  readonly filename: string;
  readonly filenameBytes: Uint8Array;
  /**
   * `true` for an event the library made up rather than read from the kernel (a recursive tree
   * reporting an entry found by scanning a new directory). Absent on kernel events.
   */
  readonly synthetic?: boolean;
}

/** The `filenameBytes` of every event without a name (zero length, so nothing can change it). */
export const NO_NAME: Uint8Array = new Uint8Array(0);

/**
 * Builds the event for record `i` of `batch`. The name is decoded and copied out of the decoder's
 * memory now, so the event outlives the batch.
 */
export function eventAt(batch: EventBatch, i: number, path: string): InotifyEvent {
  const mask = batch.mask[i]!;
  const len = batch.len[i]!;
  return {
    header: { wd: batch.wd[i]!, mask, cookie: batch.cookie[i]!, len },
    typeNames: maskNames(mask),
    path,
    filename: len === 0 ? '' : batch.name(i),
    filenameBytes: len === 0 ? NO_NAME : batch.nameBytes(i),
  };
}
