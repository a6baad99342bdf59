/**
 * Turns what a watcher sees into records of schema v1. The encoder is the one place that hands
 * out sequence numbers, so every record it makes has the next one and none is skipped: a hole
 * in the sequence a consumer receives is transport loss, and loss at the source is a `gap`.
 */
import { IN_MOVED_FROM, IN_MOVED_TO, IN_Q_OVERFLOW } from '@inotify-ts/decoder';
import { MovePairs } from './moves.js';
import { textOf } from './text.js';
import type {
  ChangeCause,
  ChangeKind,
  ChangeRecord,
  EntryInfo,
  EventRecord,
  GapReason,
  GapRecord,
  MoveSource,
  RecordBase,
  RecordIdentity,
  ScanKind,
} from './types.js';

/**
 * The fields of an event the encoder reads: `InotifyEvent` of `@inotify-ts/inotify` has them
 * all (structural, so this package does not load the facade).
 */
export interface EventLike {
  readonly header: { readonly wd: number; readonly mask: number; readonly cookie: number };
  readonly typeNames: readonly string[];
  readonly path: string;
  readonly filenameBytes: Uint8Array;
  readonly synthetic?: boolean;
}

/** A change found by a walk, as `@inotify-ts/snapshot` reports it. */
export interface ChangeLike {
  readonly change: ChangeKind;
  /** The entry's path as bytes (exact), or as a string. */
  readonly path: Uint8Array | string;
  readonly from?: Uint8Array | string;
  readonly entry: EntryInfo;
}

export interface RecordEncoderOptions {
  /** Clock in milliseconds since the epoch; default `Date.now`. */
  readonly now?: () => number;
  /** Pending `IN_MOVED_FROM`s kept for pairing; default 4096. */
  readonly pendingMoves?: number;
}

/** Extra fields of a gap record. */
export interface GapFields {
  readonly dropped?: number;
  readonly scan?: ScanKind;
  readonly count?: number;
}

export class RecordEncoder {
  readonly #identity: RecordIdentity;
  readonly #now: () => number;
  readonly #moves: MovePairs;
  #seq = 0;
  /** The last time string made, and its millisecond: events come many per millisecond. */
  #timeMs = Number.NaN;
  #time = '';

  constructor(identity: RecordIdentity, options: RecordEncoderOptions = {}) {
    this.#identity = identity;
    this.#now = options.now ?? Date.now;
    this.#moves = new MovePairs(options.pendingMoves);
  }

  get identity(): RecordIdentity {
    return this.#identity;
  }

  /** seq of the last record made; 0 before the first. */
  get lastSeq(): number {
    return this.#seq;
  }

  #timeNow(): string {
    const ms = this.#now();
    if (ms !== this.#timeMs) {
      this.#timeMs = ms;
      this.#time = new Date(ms).toISOString();
    }
    return this.#time;
  }

  #base(): RecordBase {
    return {
      v: 1,
      host: this.#identity.host,
      boot: this.#identity.boot,
      instance: this.#identity.instance,
      seq: ++this.#seq,
      time: this.#timeNow(),
    };
  }

  /**
   * The record of one event. `IN_Q_OVERFLOW` is not an event record: it becomes the gap record
   * `kernel-overflow`, and the pending move sources are forgotten (their halves may be lost).
   * (One object literal, optional fields added after: this runs once per event.)
   */
  event(event: EventLike): EventRecord | GapRecord {
    const { wd, mask, cookie } = event.header;
    if ((mask & IN_Q_OVERFLOW) !== 0) {
      this.#moves.clear();
      return this.gap('kernel-overflow');
    }
    const name = textOf(event.filenameBytes);
    const record: { -readonly [K in keyof EventRecord]: EventRecord[K] } = {
      v: 1,
      kind: 'event',
      host: this.#identity.host,
      boot: this.#identity.boot,
      instance: this.#identity.instance,
      seq: ++this.#seq,
      time: this.#timeNow(),
      wd,
      mask: mask >>> 0,
      cookie: cookie >>> 0,
      types: event.typeNames,
      path: event.path,
      name: name.text,
      synthetic: event.synthetic === true,
    };
    if (name.b64 !== undefined) record.nameB64 = name.b64;
    if (cookie !== 0) {
      if ((mask & IN_MOVED_TO) !== 0) {
        const from = this.#moves.to(cookie);
        if (from !== undefined) record.from = from;
      } else if ((mask & IN_MOVED_FROM) !== 0) {
        const source: { -readonly [K in keyof MoveSource]: MoveSource[K] } = {
          seq: record.seq,
          path: record.path,
          name: name.text,
        };
        if (name.b64 !== undefined) source.nameB64 = name.b64;
        this.#moves.from(cookie, source);
      }
    }
    return record;
  }

  /** An explicit gap: events were or may have been lost here (see the schema for each reason). */
  gap(reason: GapReason, fields: GapFields = {}): GapRecord {
    if (reason === 'sink-dropped' && !(Number.isInteger(fields.dropped) && fields.dropped! >= 1)) {
      throw Object.assign(
        new RangeError(`a sink-dropped gap needs dropped >= 1, got ${String(fields.dropped)}`),
        {
          code: 'ERR_INVALID_ARG_VALUE',
        },
      );
    }
    if ((reason === 'rescan-started' || reason === 'rescan-finished') && fields.scan === undefined) {
      throw Object.assign(new RangeError(`a ${reason} gap needs scan: 'watches' or 'entries'`), {
        code: 'ERR_INVALID_ARG_VALUE',
      });
    }
    return { ...this.#base(), kind: 'gap', reason, ...fields };
  }

  /** The record of a change found by a walk (recovery from a snapshot, or a full-state rescan). */
  change(change: ChangeLike, cause: ChangeCause): ChangeRecord {
    const path = pathText(change.path);
    const from = change.from === undefined ? undefined : pathText(change.from);
    return {
      ...this.#base(),
      kind: 'change',
      change: change.change,
      cause,
      path: path.text,
      ...(path.b64 === undefined ? {} : { pathB64: path.b64 }),
      ...(from === undefined
        ? {}
        : { from: { path: from.text, ...(from.b64 === undefined ? {} : { pathB64: from.b64 }) } }),
      entry: change.entry,
      synthetic: true,
    };
  }
}

function pathText(path: Uint8Array | string): { text: string; b64?: string } {
  return typeof path === 'string' ? { text: path } : textOf(path);
}
