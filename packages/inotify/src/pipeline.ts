/**
 * What the one consumer loop pulls from: `Inotify`'s plain pipeline (below) or a tree's. A
 * pipeline turns the record source's records into events or batches; the consumer loop above it
 * applies the consumer's options and decides when to read and wait. A pipeline never calls up.
 *
 * Pulls are two-step: `peek` makes the next event (the same one until `take`), `take` consumes
 * it. A consumer whose callback throws between the two loses nothing: the next pull gets the
 * same event again.
 */
import type { EventBatch } from '@inotify-ts/decoder';
import { offsetBatch } from './batch-views.js';
import { eventAt, type InotifyEvent } from './event.js';
import type { RecordSource } from './source.js';

export interface Pipeline {
  readonly source: RecordSource;
  /** The next event, or `undefined` when none is ready (read, or run {@link work}, first). */
  peek(): InotifyEvent | undefined;
  /** Consumes the event {@link peek} returned. */
  take(): void;
  /** The next columnar batch, valid until {@link takeBatch}; `undefined` as for {@link peek}. */
  peekBatch(): EventBatch | undefined;
  /** Consumes the batch {@link peekBatch} returned. */
  takeBatch(): void;
  /** Whether work is waiting to run between deliveries (a tree's walk, done in slices). */
  working(): boolean;
  /** Runs waiting work for about `budgetMs` (`Infinity`: all of it). */
  work(budgetMs: number): void;
  /** How soon the pipeline wants to be pulled even if no event arrives; `undefined`: only then. */
  wakeInMs(): number | undefined;
}

/** `Inotify`'s pipeline: the kernel's records, each with the path its wd watches. */
export class PlainPipeline implements Pipeline {
  readonly source: RecordSource;
  #held: InotifyEvent | undefined = undefined;
  #batchEnd = -1;

  constructor(source: RecordSource) {
    this.source = source;
  }

  peek(): InotifyEvent | undefined {
    if (this.#held !== undefined) return this.#held;
    const source = this.source;
    const i = source.next();
    if (i < 0) return undefined;
    const batch = source.batch;
    const wd = batch.wd[i]!;
    this.#held = eventAt(batch, i, wd === -1 ? '' : source.watches.get(wd)!.path);
    return this.#held;
  }

  take(): void {
    this.#held = undefined;
    this.source.advance();
  }

  /**
   * Everything buffered (records of unwatched wds included: `batches()` hands out the kernel's
   * records as they are), the decoder's own batch when none of it was delivered yet.
   */
  peekBatch(): EventBatch | undefined {
    this.#held = undefined;
    const rest = this.source.rest();
    if (rest === undefined) return undefined;
    this.#batchEnd = rest.batch.count;
    return rest.from === 0 ? rest.batch : offsetBatch(rest.batch, rest.from);
  }

  takeBatch(): void {
    if (this.#batchEnd >= 0) this.source.advanceTo(this.#batchEnd);
    this.#batchEnd = -1;
  }

  working(): boolean {
    return false;
  }

  work(): void {}

  wakeInMs(): number | undefined {
    return undefined;
  }
}
