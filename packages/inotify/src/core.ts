import type { Decoder, EventBatch } from '@inotify-ts/decoder';
import { createDecoder, IN_IGNORED, IN_Q_OVERFLOW } from '@inotify-ts/decoder';
import * as sys from '@inotify-ts/syscall';
import { arrayBatch, offsetBatch } from './batch-views.js';
import { busyError, closedError, TerminalEventError } from './errors.js';
import { eventAt, type InotifyEvent } from './event.js';
import type { Consumer } from './options.js';
import { WatchTable } from './watches.js';

/** The options of a read with neither signal nor timeout, shared. */
const NO_OPTIONS: sys.ReadOptions = Object.freeze({});

/**
 * How `events()` and `batches()` wait for the kernel (see `createReader()` of
 * `@inotify-ts/syscall`): `'event-loop'`, libuv reads the fd on the main thread; `'thread'`, a
 * shared waiter thread; `'auto'`, the first where Node allows it.
 */
export type AsyncReads = 'auto' | sys.ReaderKind;

/**
 * Hooks a recursive tree (or any other layer built on one `Inotify`) installs to see events
 * before the consumer does. All hooks run synchronously, in event order, when the consumer pulls.
 */
export interface Interceptor {
  /**
   * Every kernel event of a watched wd (and every `IN_Q_OVERFLOW`), when the consumer pulls it:
   * after `path` was resolved and after `IN_IGNORED` ended its watch, before `terminalEvents` and
   * `filterPredicate`. Return `false` to swallow the event. Events put back with
   * {@link Core.inject} from here are delivered right after this one.
   */
  event?(event: InotifyEvent): unknown;
  /**
   * Every columnar batch `batches()` is about to yield (watch bookkeeping is the hook's job there).
   * Returning a batch yields that one instead (e.g. the same records without those the layer
   * swallows); the replacement must stay valid until the iterator advances.
   */
  batch?(batch: EventBatch): EventBatch | undefined;
  /**
   * Everything read so far was delivered and the kernel queue is empty (a paired
   * `IN_MOVED_FROM`/`IN_MOVED_TO` would have been read together by now). Runs at least once per
   * `eventGen()` cycle and before every wait of `events()`/`batches()`; may inject events.
   */
  idle?(): void;
  /**
   * How soon, in milliseconds, the layer wants `idle()` to run again even if no event arrives
   * (a deferred rescan); `undefined`: only when events arrive. Bounds every wait of the
   * generators.
   */
  wakeInMs?(): number | undefined;
}

/**
 * The state behind one `Inotify`: the fd, the decoder, the watch table and the events read from
 * the kernel but not yet delivered. Events stay here between generators, so a consumer that
 * breaks out of a loop loses nothing: the next generator continues with them.
 */
export class Core {
  /** The inotify fd; `-1` once closed. */
  fd: number;
  closed = false;
  /** An `events()`/`batches()` iterator is running. */
  busy = false;
  /**
   * Whether the last {@link fill} emptied the kernel queue at the moment of the read: it read
   * nothing, or left at least one largest event (272 bytes) of its buffer unused. The kernel fills
   * a read with every queued event that fits and stops only at an empty queue or at an event too
   * large for the space left, so such a short read took everything queued then. Delivering the
   * events may queue more (an interceptor's scan): `true` says nothing about the queue now.
   * `false` after a read that (nearly) filled its buffer: more is queued.
   */
  drained = true;
  readonly watches = new WatchTable();
  /** Made at the first read (see {@link decoder}). */
  #decoder: Decoder | null = null;
  readonly #readBufferBytes: number | undefined;
  interceptor: Interceptor | null = null;

  /** The decoded batch being delivered; records before `#cursor` are delivered. */
  #batch: EventBatch | null = null;
  #cursor = 0;
  /** Where the batch `takeBatch()` returned last starts in `#batch`; -1 for injected events. */
  #takenFrom = -1;
  /** Events injected by the interceptor, delivered before the rest of `#batch`. */
  #injected: InotifyEvent[] = [];
  #injectedHead = 0;
  /** A decoder error, thrown once the events decoded before the malformed point are delivered. */
  #deferred: Error | null = null;

  /** How `events()`/`batches()` wait; the reader itself is made at the first wait. */
  readonly #asyncReads: AsyncReads;
  #reader: sys.AsyncReader | null = null;

  /** See `InotifyOptions.readDelayMs`. */
  readonly readDelayMs: number;
  /** `performance.now()` before which the next read waits (`readDelayMs`); 0: read at once. */
  #nextReadAt = 0;

  constructor(readBufferBytes: number | undefined, asyncReads: AsyncReads = 'auto', readDelayMs = 0) {
    this.#readBufferBytes = readBufferBytes;
    this.#asyncReads = asyncReads;
    this.readDelayMs = readDelayMs;
    this.fd = sys.init();
  }

  /**
   * Milliseconds the next read should wait under `readDelayMs`: after a read that took events and
   * emptied the queue, the next one waits until `readDelayMs` after it, so that events pile up
   * and one read carries many. 0 once that time has come, and always after a read that found
   * the queue empty or left events in it (then the next read runs at once).
   */
  readDelayLeft(): number {
    if (this.#nextReadAt === 0) return 0;
    const left = this.#nextReadAt - performance.now();
    if (left > 0) return left;
    this.#nextReadAt = 0;
    return 0;
  }

  /**
   * The decoder, whose WebAssembly memory the kernel reads into. Made at the first read, not with
   * the instance: an instance that only arms watches (a large tree being set up) does not hold
   * the decoder's memory yet.
   */
  get decoder(): Decoder {
    this.#decoder ??= createDecoder(
      this.#readBufferBytes === undefined ? {} : { inputBytes: this.#readBufferBytes },
    );
    return this.#decoder;
  }

  /** Throws `ERR_INOTIFY_CLOSED` once closed. */
  assertOpen(syscall: string, path?: string): void {
    if (this.closed) throw closedError(syscall, path);
  }

  /** Claims the instance for one async iterator. */
  claim(): void {
    if (this.busy) throw busyError();
    this.busy = true;
  }

  release(): void {
    this.busy = false;
  }

  /** Bytes waiting in the kernel queue (`FIONREAD`). */
  pendingBytes(): number {
    return sys.pendingBytes(this.fd);
  }

  /** Blocks the thread until the fd is readable or `timeoutMs` passed (poll(2)). */
  poll(timeoutMs: number): boolean {
    return sys.poll(this.fd, timeoutMs);
  }

  /** Whether events were read but not delivered yet. */
  hasBuffered(): boolean {
    return (
      this.#injectedHead < this.#injected.length || (this.#batch !== null && this.#cursor < this.#batch.count)
    );
  }

  /**
   * Reads what the kernel queue holds, up to the decoder's whole input capacity (or `maxBytes`,
   * at least 272, when given), straight into the decoder's memory, and decodes it: one `read(2)`,
   * no `FIONREAD` first (a read larger than what is queued costs nothing more). Only called when
   * nothing is buffered: the decoder reuses its memory, so the previous batch must be fully
   * delivered first. Returns the bytes read, `0` when the kernel queue was empty; sets
   * {@link drained}.
   */
  fill(maxBytes?: number): number {
    let into = this.decoder.input;
    if (maxBytes !== undefined && maxBytes < into.length)
      into = into.subarray(0, Math.max(maxBytes, sys.MIN_READ_BUFFER_SIZE));
    return this.#decode(sys.read(this.fd, into), into.length);
  }

  /**
   * Waits, without blocking the event loop, until the kernel queue has events, and reads them as
   * {@link fill} does (the whole input capacity, straight into the decoder's memory). Resolves
   * the bytes read, `0` when `timeoutMs` passed first or the instance was closed; pass them to
   * {@link accept}. Only called when nothing is buffered. (Not an async function: one promise
   * per read, the reader's own.)
   */
  readAsync(signal: AbortSignal | undefined, timeoutMs: number | undefined): Promise<number> {
    this.#reader ??= sys.createReader(this.fd, this.decoder.input, { kind: this.#asyncReads });
    if (signal === undefined && timeoutMs === undefined) return this.#reader.read(NO_OPTIONS);
    const options: { signal?: AbortSignal; timeoutMs?: number } = {};
    if (signal !== undefined) options.signal = signal;
    if (timeoutMs !== undefined) options.timeoutMs = Math.ceil(timeoutMs);
    return this.#reader.read(options);
  }

  /** Decodes the `n` bytes {@link readAsync} read, unless the instance was closed meanwhile. */
  accept(n: number): number {
    if (this.closed) return 0;
    return this.#decode(n, this.decoder.input.length);
  }

  /** Decodes the `n` bytes a read of `capacity` bytes put at the start of the input. */
  #decode(n: number, capacity: number): number {
    this.drained = capacity - n >= sys.MIN_READ_BUFFER_SIZE;
    this.#nextReadAt =
      n > 0 && this.drained && this.readDelayMs > 0 ? performance.now() + this.readDelayMs : 0;
    if (n === 0) return 0;
    const batch = this.decoder.decode(n);
    this.#batch = batch;
    this.#cursor = 0;
    if (batch.error) this.#deferred = batch.error;
    return n;
  }

  /** Queues events to deliver before the rest of the current batch. */
  inject(events: readonly InotifyEvent[]): void {
    this.#injected.push(...events);
  }

  /** Runs the interceptor's idle hook. */
  idle(): void {
    this.interceptor?.idle?.();
  }

  /**
   * The longest a generator may wait before running the idle hook again: `timeoutMs`, bounded by
   * the interceptor's `wakeInMs()`; `undefined` when neither asks for a bound.
   */
  waitBound(timeoutMs: number | undefined): number | undefined {
    const wake = this.interceptor?.wakeInMs?.();
    if (wake === undefined) return timeoutMs;
    return timeoutMs === undefined ? Math.max(0, wake) : Math.min(timeoutMs, Math.max(0, wake));
  }

  /**
   * The next buffered event for consumer `c`, or `undefined` when nothing is buffered. Drops
   * events of wds that are no longer watched, ends watches on `IN_IGNORED`, runs the interceptor,
   * then applies `terminalEvents` (throwing) and `filterPredicate` (skipping).
   */
  pull(c: Consumer): InotifyEvent | undefined {
    for (;;) {
      if (this.#injectedHead < this.#injected.length) {
        const event = this.#injected[this.#injectedHead++]!;
        if (this.#injectedHead === this.#injected.length) this.#resetInjected();
        c.active = true;
        if (deliverable(event, c)) return event;
        continue;
      }
      const batch = this.#batch;
      if (batch === null || this.#cursor >= batch.count) {
        this.#throwDeferred();
        return undefined;
      }
      const i = this.#cursor++;
      const wd = batch.wd[i]!;
      // wd -1 (IN_Q_OVERFLOW) is the queue's, not a watch's: never looked up, never dropped.
      const path = wd === -1 ? '' : this.watches.pathOf(wd);
      if (path === undefined) continue;
      const event = eventAt(batch, i, path);
      if ((event.header.mask & IN_IGNORED) !== 0) this.watches.delete(wd);
      c.active = true;
      if (this.interceptor?.event?.(event) === false) continue;
      if (deliverable(event, c)) return event;
    }
  }

  /**
   * Everything buffered, as one columnar batch, marked delivered: the injected events first, then
   * the rest of the current batch (the decoder's own batch when none of it was delivered yet).
   */
  takeBatch(): EventBatch | undefined {
    if (this.#injectedHead < this.#injected.length) {
      const batch = arrayBatch(this.#injected.slice(this.#injectedHead));
      this.#resetInjected();
      this.#takenFrom = -1;
      return batch;
    }
    const batch = this.#batch;
    if (batch === null || this.#cursor >= batch.count) {
      this.#throwDeferred();
      return undefined;
    }
    const from = this.#cursor;
    this.#cursor = batch.count;
    this.#takenFrom = from;
    return from === 0 ? batch : offsetBatch(batch, from);
  }

  /**
   * Puts the records of the batch `takeBatch()` just returned back from its record `index` on:
   * they are taken again (after any events injected meanwhile). For an interceptor that splits a
   * batch where it injects events. Not for injected batches.
   */
  untake(index: number): void {
    const from = this.#takenFrom;
    if (
      from < 0 ||
      this.#batch === null ||
      !Number.isInteger(index) ||
      index < 0 ||
      from + index > this.#batch.count
    ) {
      throw new RangeError(`untake(${index}): not a record of the decoded batch taken last`);
    }
    this.#cursor = from + index;
  }

  /** Ends the watches a delivered columnar batch reported `IN_IGNORED` for. */
  forgetIgnored(batch: EventBatch): void {
    const { mask, wd } = batch;
    for (let i = 0; i < batch.count; i++) {
      if ((mask[i]! & IN_IGNORED) !== 0 && wd[i] !== -1) this.watches.delete(wd[i]!);
    }
  }

  /** Closes the fd (waking any waiter), forgets watches and buffered events. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const fd = this.fd;
    this.fd = -1;
    this.#batch = null;
    this.#cursor = 0;
    this.#resetInjected();
    this.#deferred = null;
    this.watches.clear();
    this.interceptor = null;
    // Its duplicate of the fd first; a pending read resolves 0.
    this.#reader?.close();
    sys.close(fd);
  }

  #resetInjected(): void {
    this.#injected = [];
    this.#injectedHead = 0;
  }

  #throwDeferred(): void {
    const error = this.#deferred;
    if (error !== null) {
      this.#deferred = null;
      throw error;
    }
  }
}

/** Applies `terminalEvents` (throws) and `filterPredicate` (false: skip). */
function deliverable(event: InotifyEvent, c: Consumer): boolean {
  const names = event.typeNames;
  if (c.terminal.size > 0) {
    for (const name of names) if (c.terminal.has(name)) throw new TerminalEventError(name, event);
  }
  const filter = c.filterPredicate;
  if (filter === undefined || (event.header.mask & IN_Q_OVERFLOW) !== 0) return true;
  for (const name of names) if (filter(name, event) === false) return false;
  return true;
}
