import type { EventBatch } from '@inotify-ts/decoder';
import type { InotifyEvent } from './event.js';

/**
 * Columnar batches that do not come straight from the decoder, for the rare cases where
 * `batches()` must hand out events that are not one whole decoded read: the rest of a read a
 * previous consumer broke out of, and events injected by an interceptor.
 */

/** The records of `batch` from index `from` on, as a batch of their own (views, no copy). */
export function offsetBatch(batch: EventBatch, from: number): EventBatch {
  return {
    count: batch.count - from,
    wd: batch.wd.subarray(from),
    mask: batch.mask.subarray(from),
    cookie: batch.cookie.subarray(from),
    len: batch.len.subarray(from),
    name: (i: number) => batch.name(i + from),
    nameBytes: (i: number) => batch.nameBytes(i + from),
    error: null,
  };
}

/**
 * A batch of events that did not come from one decoded read (injected by a recursive tree, or
 * put back after an error): `synthetic[i]` is `1` where record `i` was made up by the library
 * (the event's `synthetic` flag), `0` where it is the kernel's.
 */
export interface InjectedBatch extends EventBatch {
  readonly synthetic: Uint8Array;
}

/** A batch holding already built events (their names are kept, so it never goes stale). */
export function arrayBatch(events: readonly InotifyEvent[]): InjectedBatch {
  return {
    count: events.length,
    wd: Int32Array.from(events, (e) => e.header.wd),
    mask: Uint32Array.from(events, (e) => e.header.mask),
    cookie: Uint32Array.from(events, (e) => e.header.cookie),
    len: Uint32Array.from(events, (e) => e.header.len),
    name: (i: number) => events[i]!.filename,
    nameBytes: (i: number) => events[i]!.filenameBytes.slice(),
    error: null,
    synthetic: Uint8Array.from(events, (e) => (e.synthetic === true ? 1 : 0)),
  };
}
