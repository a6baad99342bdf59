/**
 * The record source, the bottom of the facade: the inotify fd, reads into the decoder's memory
 * (every read through the async reader once there is one: it may hold events read ahead), the
 * decoded batch with a cursor, and the watch bookkeeping the kernel's records imply
 * (`IN_IGNORED` ends a watch; records of wds no longer watched are not delivered).
 *
 * Everything above it (the plain pipeline of `Inotify`, a tree's pipeline, the one consumer loop
 * of the three generators) pulls from it; it never calls up. Records stay here until the layer
 * above advances past them, so a consumer that breaks out of a loop, or whose callback throws,
 * loses nothing: the next pull starts with the same record.
 */
import type { Decoder, EventBatch } from '@inotify-ts/decoder';
import { createDecoder, IN_IGNORED } from '@inotify-ts/decoder';
import * as sys from '@inotify-ts/syscall';
import { busyError, closedError, usageError } from './errors.js';
import { Watches } from './watches.js';

/** The most {@link RecordSource.spill} holds: about a million events. */
const MAX_BACKLOG_BYTES = 32 << 20;

/**
 * The length of the whole `struct inotify_event`s at the start of `bytes` that fit in `limit`
 * bytes (at least one: `limit` is at least the largest event). The kernel wrote them, so their
 * lengths are trusted here; the decoder checks every one again.
 */
function wholeEvents(bytes: Buffer, limit: number): number {
  let end = 0;
  for (;;) {
    const next = end + sys.INOTIFY_EVENT_HEADER_SIZE + bytes.readUInt32LE(end + 12);
    if (next > limit || next > bytes.length) return end;
    end = next;
  }
}

/** The options of a read with neither signal nor timeout, shared. */
const NO_OPTIONS: sys.ReadOptions = Object.freeze({});

/**
 * How `events()` and `batches()` wait for the kernel (see `createReader()` of
 * `@inotify-ts/syscall`): `'event-loop'`, libuv reads the fd on the main thread; `'thread'`, a
 * shared waiter thread; `'auto'`, the first where Node allows it.
 */
export type AsyncReads = 'auto' | sys.ReaderKind;

export class RecordSource {
  /** The inotify fd; `-1` once closed. */
  fd: number;
  closed = false;
  /** An `events()`/`batches()` iterator is running: `eventGen()` is refused meanwhile. */
  busy = false;
  /**
   * Whether the last read emptied the kernel queue at the moment of the read: it read nothing,
   * or left at least one largest event (272 bytes) of its buffer unused. The kernel fills a read
   * with every queued event that fits and stops only at an empty queue or at an event too large
   * for the space left, so such a short read took everything queued then. `false` after a read
   * that (nearly) filled its buffer: more is queued.
   */
  drained = true;
  readonly watches: Watches;
  #decoder: Decoder | null = null;
  readonly #readBufferBytes: number | undefined;
  readonly #asyncReads: AsyncReads;
  #reader: sys.AsyncReader | null = null;
  /** See `InotifyOptions.readDelayMs`. */
  readonly readDelayMs: number;
  /** `performance.now()` before which the next read waits (`readDelayMs`); 0: read at once. */
  #nextReadAt = 0;

  /** The decoded batch; records before `#cursor` were delivered. */
  #batch: EventBatch | null = null;
  #cursor = 0;
  /** A decoder error, thrown once the records decoded before the malformed point are delivered. */
  #deferred: Error | null = null;
  /** Reads {@link spill} made while records were buffered, oldest first, each a copy. */
  readonly #backlog: Buffer[] = [];
  #backlogBytes = 0;

  constructor(readBufferBytes: number | undefined, asyncReads: AsyncReads = 'auto', readDelayMs = 0) {
    this.#readBufferBytes = readBufferBytes;
    this.#asyncReads = asyncReads;
    this.readDelayMs = readDelayMs;
    this.fd = sys.init();
    this.watches = new Watches(this.fd);
  }

  /**
   * The decoder, whose WebAssembly memory the kernel reads into. Made at the first read, so an
   * instance that only arms watches (a large tree being set up) does not hold its memory yet.
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

  /** Throws `ERR_INOTIFY_BUSY` while an async iterator runs (for `eventGen()`). */
  assertIdle(): void {
    if (this.busy) throw busyError('eventGen');
  }

  /** Claims the instance for one async iterator. */
  claim(): void {
    if (this.busy) throw busyError('events');
    this.busy = true;
  }

  release(): void {
    this.busy = false;
  }

  /**
   * Milliseconds the next read should wait under `readDelayMs`: after a read that took events and
   * emptied the queue, the next one waits until `readDelayMs` after it. 0 once that time has
   * come, and after a read that found the queue empty or left events in it.
   */
  readDelayLeft(): number {
    if (this.#nextReadAt === 0) return 0;
    const left = this.#nextReadAt - performance.now();
    if (left > 0) return left;
    this.#nextReadAt = 0;
    return 0;
  }

  /**
   * Bytes read but not decoded yet: the kernel queue (`FIONREAD`), the backlog and what the async
   * reader staged.
   */
  pendingBytes(): number {
    return sys.pendingBytes(this.fd) + this.#backlogBytes + this.#staged();
  }

  /**
   * Reads what the kernel queue holds into the backlog (copies, decoded later in order), for a
   * layer that cannot take records now: a tree walking a large directory that just appeared,
   * whose own listing makes the kernel queue events by the thousand, keeps the queue from
   * overflowing this way. Bounded by {@link MAX_BACKLOG_BYTES}: past it the kernel queue fills,
   * and overflows (reported) if the walk goes on. Returns the bytes read.
   */
  spill(): number {
    if (this.closed) return 0;
    let total = 0;
    while (this.#backlogBytes < MAX_BACKLOG_BYTES) {
      // FIONREAD first: nothing is allocated (not even the decoder) while nothing is queued, and
      // a read of what is queued takes it all (the kernel hands out whole events only).
      const staged = this.#staged();
      const queued = sys.pendingBytes(this.fd) + staged;
      if (queued === 0) break;
      const chunk = Buffer.allocUnsafe(Math.max(queued, staged + sys.MIN_READ_BUFFER_SIZE));
      const n = this.#readNow(chunk);
      if (n === 0) break;
      this.#backlog.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      this.#backlogBytes += n;
      total += n;
    }
    if (total > 0) this.drained = false; // the next read takes the backlog
    return total;
  }

  /**
   * Blocks the thread until the fd is readable or `timeoutMs` passed (poll(2)); `true` at once
   * when the backlog holds reads or the async reader staged some.
   */
  poll(timeoutMs: number): boolean {
    return this.#backlog.length > 0 || this.#staged() > 0 || sys.poll(this.fd, timeoutMs);
  }

  /** Whether records were read but not delivered yet. */
  hasBuffered(): boolean {
    return this.#batch !== null && this.#cursor < this.#batch.count;
  }

  /**
   * Reads what the kernel queue holds, up to the decoder's input capacity (`maxBytes`, at least
   * 272, when given), straight into the decoder's memory, and decodes it: one non-blocking
   * `read(2)`. Only when nothing is buffered (the decoder reuses its memory). The backlog comes
   * first, then what the async reader staged (whole, whatever `maxBytes` says: it was read
   * already) with the kernel queue after it. Returns the bytes read, `0` when the queue was
   * empty; sets {@link drained}.
   */
  fill(maxBytes?: number): number {
    this.#assertEmpty();
    if (this.#backlog.length > 0) return this.#decode(this.#fromBacklog(), Number.POSITIVE_INFINITY);
    let into = this.decoder.input;
    if (maxBytes !== undefined && maxBytes < into.length) {
      into = into.subarray(0, Math.max(maxBytes, sys.MIN_READ_BUFFER_SIZE, this.#staged()));
    }
    return this.#decode(this.#readNow(into), into.length);
  }

  /** Bytes the async reader read ahead and holds (0 without one): they come before the kernel queue. */
  #staged(): number {
    return this.#reader?.staged ?? 0;
  }

  /** One non-blocking read into `into`: through the async reader (its staged bytes first) if any. */
  #readNow(into: Uint8Array): number {
    return this.#reader === null ? sys.read(this.fd, into) : this.#reader.readSync(into);
  }

  /**
   * Waits without blocking the event loop until the queue has events, and reads them as
   * {@link fill} does. Resolves the bytes read, `0` when `timeoutMs` passed first or the
   * instance was closed; pass them to {@link accept}. Only when nothing is buffered.
   */
  readAsync(signal: AbortSignal | undefined, timeoutMs: number | undefined): Promise<number> {
    this.#assertEmpty();
    if (this.#backlog.length > 0) return Promise.resolve(this.#fromBacklog());
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

  /**
   * The records after the cursor, as the decoder's batch and the index of the first, or
   * `undefined` when none is left (then the decoder's error, if it stopped at a malformed
   * record, is thrown once).
   */
  rest(): { batch: EventBatch; from: number } | undefined {
    const batch = this.#batch;
    if (batch === null || this.#cursor >= batch.count) {
      this.#throwDeferred();
      return undefined;
    }
    return { batch, from: this.#cursor };
  }

  /**
   * The index of the next record to deliver in {@link batch}, skipping (and passing) records of
   * wds that are not watched; -1 when none is left (after throwing a deferred decode error once).
   * `IN_Q_OVERFLOW` (wd -1) belongs to the queue, not a watch: never skipped.
   */
  next(): number {
    const batch = this.#batch;
    if (batch === null) return -1;
    const wds = batch.wd;
    while (this.#cursor < batch.count) {
      const wd = wds[this.#cursor]!;
      if (wd === -1 || this.watches.get(wd) !== undefined) return this.#cursor;
      this.#cursor++;
    }
    this.#throwDeferred();
    return -1;
  }

  /** The decoded batch {@link next} indexes into. */
  get batch(): EventBatch {
    return this.#batch!;
  }

  /** Passes the record {@link next} returned; its `IN_IGNORED` ends its watch. */
  advance(): void {
    const batch = this.#batch;
    if (batch === null) return; // closed meanwhile
    const i = this.#cursor++;
    if ((batch.mask[i]! & IN_IGNORED) !== 0 && batch.wd[i] !== -1) this.watches.forget(batch.wd[i]!);
  }

  /** Passes every record up to `end` (exclusive), ending the watches their `IN_IGNORED`s end. */
  advanceTo(end: number): void {
    const batch = this.#batch;
    if (batch === null) return; // closed meanwhile
    const { mask, wd } = batch;
    for (let i = this.#cursor; i < end; i++) {
      if ((mask[i]! & IN_IGNORED) !== 0 && wd[i] !== -1) this.watches.forget(wd[i]!);
    }
    this.#cursor = end;
  }

  /** Closes the fd (waking any waiter) and forgets watches and buffered records. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const fd = this.fd;
    this.fd = -1;
    this.#batch = null;
    this.#cursor = 0;
    this.#deferred = null;
    this.#backlog.length = 0;
    this.#backlogBytes = 0;
    this.watches.clear();
    // Its duplicate of the fd first; a pending read resolves 0.
    this.#reader?.close();
    sys.close(fd);
  }

  /** Moves the oldest backlog read into the decoder's input; returns its length. */
  #fromBacklog(): number {
    const input = this.decoder.input;
    let chunk = this.#backlog[0]!;
    if (chunk.length > input.length) {
      // Larger than the decoder's input (FIONREAD saw more than it holds): hand over the whole
      // events that fit, keep the rest first in line.
      const fit = wholeEvents(chunk, input.length);
      this.#backlog[0] = chunk.subarray(fit);
      chunk = chunk.subarray(0, fit);
    } else {
      this.#backlog.shift();
    }
    this.#backlogBytes -= chunk.length;
    input.set(chunk);
    return chunk.length;
  }

  #decode(n: number, capacity: number): number {
    // A backlog read is followed by more: the backlog's next one, or the kernel queue's.
    this.drained = this.#backlog.length === 0 && capacity - n >= sys.MIN_READ_BUFFER_SIZE;
    this.#nextReadAt =
      n > 0 && this.drained && this.readDelayMs > 0 ? performance.now() + this.readDelayMs : 0;
    if (n === 0) return 0;
    const batch = this.decoder.decode(n);
    this.#batch = batch;
    this.#cursor = 0;
    if (batch.error) this.#deferred = batch.error;
    return n;
  }

  /** A read must never replace records not yet delivered: that would lose them. */
  #assertEmpty(): void {
    if (this.hasBuffered()) {
      throw usageError(
        'ERR_INOTIFY_INTERNAL',
        0,
        'read',
        'internal error: a read was started while decoded events were still buffered; please report it',
      );
    }
  }

  #throwDeferred(): void {
    const error = this.#deferred;
    if (error !== null) {
      this.#deferred = null;
      throw error;
    }
  }
}
