import type { DecodeError } from './errors.js';

/**
 * The events of one `decode()`: typed-array columns plus lazy name access.
 *
 * Event `i` (0 <= i < count) is `{ wd: wd[i], mask: mask[i], cookie: cookie[i], len: len[i] }`
 * with the name `name(i)`. The columns are views on the decoder's memory, not copies:
 * a batch is valid until the next `decode()` on the same decoder, which overwrites them,
 * and until `decoder.input` is written again (names are read from it lazily).
 * Copy what you keep (`Int32Array.from(batch.wd)`, the strings from `name(i)`).
 */
export interface EventBatch {
  /** Number of events decoded: every column has this length. */
  readonly count: number;
  /** Watch descriptor of each event; -1 for IN_Q_OVERFLOW. */
  readonly wd: Int32Array;
  /** Event mask of each event (see `maskNames`). */
  readonly mask: Uint32Array;
  /** Cookie of each event: equal for the IN_MOVED_FROM / IN_MOVED_TO of one rename, else 0. */
  readonly cookie: Uint32Array;
  /** The kernel's `len` field of each event, exactly as read (the padded name length, 0 if none). */
  readonly len: Uint32Array;
  /**
   * The decode error, or `null`. When set, `count` events were decoded before the malformed
   * point at `error.offset`; nothing at or after it was turned into an event.
   */
  readonly error: DecodeError | null;
  /**
   * The name of event `i` as a string: the bytes before the first NUL (padding stripped),
   * decoded as UTF-8 with invalid bytes replaced by U+FFFD; `''` when the event has no name.
   * Never throws for any bytes.
   *
   * @throws RangeError if `i` is not an index below `count`; Error `ERR_INOTIFY_BATCH_STALE`
   *   if the decoder has decoded another batch since (this one's memory was overwritten).
   */
  name(i: number): string;
  /**
   * The exact name bytes of event `i` (before the first NUL), as a fresh copy that stays
   * valid after the next `decode()`. Empty when the event has no name.
   *
   * @throws Like {@link EventBatch.name}.
   */
  nameBytes(i: number): Uint8Array;
}

/** @internal What a decoder gives its batches: names of the current batch by index. */
export interface NameSource {
  /** Incremented by each decode(); a batch whose number differs is stale. */
  readonly sequence: number;
  nameOf(i: number): string;
  nameBytesOf(i: number): Uint8Array;
}

/** @internal A decoder's full-capacity header columns; a batch hands out their first `count` entries. */
export interface Columns {
  readonly wd: Int32Array;
  readonly mask: Uint32Array;
  readonly cookie: Uint32Array;
  readonly len: Uint32Array;
}

/** @internal The one EventBatch implementation, shared by both decoders. */
export class Batch implements EventBatch {
  readonly #source: NameSource;
  readonly #sequence: number;
  readonly wd: Int32Array;
  readonly mask: Uint32Array;
  readonly cookie: Uint32Array;
  readonly len: Uint32Array;

  constructor(
    source: NameSource,
    columns: Columns,
    readonly count: number,
    readonly error: DecodeError | null,
  ) {
    this.#source = source;
    this.#sequence = source.sequence;
    // Views, not copies: subarray allocates only the four small view objects.
    this.wd = columns.wd.subarray(0, count);
    this.mask = columns.mask.subarray(0, count);
    this.cookie = columns.cookie.subarray(0, count);
    this.len = columns.len.subarray(0, count);
  }

  name(i: number): string {
    this.#check(i);
    return this.#source.nameOf(i);
  }

  nameBytes(i: number): Uint8Array {
    this.#check(i);
    return this.#source.nameBytesOf(i);
  }

  #check(i: number): void {
    if (this.#sequence !== this.#source.sequence) {
      throw Object.assign(
        new Error(
          'this EventBatch is stale: its decoder has decoded another batch since, which overwrote ' +
            'its memory; read names before the next decode(), or keep the strings',
        ),
        { code: 'ERR_INOTIFY_BATCH_STALE' },
      );
    }
    if (!(i >= 0 && i < this.count && Number.isInteger(i))) {
      throw new RangeError(`event index must be an integer from 0 to ${this.count - 1}, got ${String(i)}`);
    }
  }
}
