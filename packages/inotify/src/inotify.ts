import type { EventBatch } from '@inotify-ts/decoder';
import { IN_ALL_EVENTS, MAX_INPUT_BYTES, MIN_INPUT_BYTES } from '@inotify-ts/decoder';
import * as sys from '@inotify-ts/syscall';
import { invalidArgument } from './errors.js';
import type { InotifyEvent } from './event.js';
import { asyncEvents } from './generators/async.js';
import { batchEvents } from './generators/batches.js';
import { syncEvents } from './generators/sync.js';
import { checkWatchMask } from './mask.js';
import {
  type BatchesOptions,
  consumerOf,
  type EventGenOptions,
  type EventsOptions,
  secondsToMs,
} from './options.js';
import { type Pipeline, PlainPipeline } from './pipeline.js';
import { type AsyncReads, RecordSource } from './source.js';
import { byteKey, bytesOf, displayPath, type PathWatch } from './watches.js';

/** Options of {@link Inotify}. */
export interface InotifyOptions {
  /** Paths to watch right away with `IN_ALL_EVENTS`, as with `addWatch()`. */
  paths?: Iterable<string | Uint8Array>;
  /**
   * Longest time one `eventGen()` cycle blocks in poll(2) before it yields `null`, in seconds.
   * A function is called again at the start of every cycle. Default `1`, as in the Python package.
   */
  blockDurationS?: number | (() => number);
  /**
   * Size of the read buffer (the decoder's input region) in bytes. Default: the decoder's default
   * (256 KiB). From 272 (`sizeof(struct inotify_event) + NAME_MAX + 1`, so any single event fits)
   * to 64 MiB.
   */
  readBufferBytes?: number;
  /**
   * How `events()` and `batches()` wait for events without blocking the event loop:
   * - `'event-loop'`: libuv waits for the fd in the main thread's own epoll, kept armed between
   *   reads, and reads it the way Node reads a pipe; the bytes are copied into the decoder's
   *   memory for the read that asked. No thread.
   * - `'thread'`: one waiter thread shared by the whole process blocks in `epoll_wait`, and the
   *   main thread reads when it says so.
   * - `'auto'` (default): `'event-loop'` where this Node allows it (it reaches Node's `pipe_wrap`
   *   binding through `process.binding()`, documented as deprecated; not under
   *   `--pending-deprecation`), `'thread'` elsewhere.
   */
  asyncReads?: AsyncReads;
  /**
   * Milliseconds to let events pile up in the kernel queue between reads, so that one `read(2)`
   * (and one wake-up) carries many events: less CPU per event under a steady stream, for up to
   * this much more latency. Default `0` (read as soon as events are there).
   *
   * Only reads that follow a read are delayed: after a read that took events and left the queue
   * empty, the next read waits until `readDelayMs` after it. The first event after a quiet
   * period is read at once, and a read that left events queued is followed at once. Keep it well
   * below the time the stream takes to fill the queue (`fs.inotify.max_queued_events`, 16,384 by
   * default: 50 ms at 300,000 events/s), or the queue overflows meanwhile. From 0 to 1000.
   */
  readDelayMs?: number;
}

/** poll(2) takes an `int` of milliseconds. */
const MAX_POLL_MS = 0x7fffffff;

/** Validates a path argument; returns its byte key and the string events report it by. */
function pathKey(path: unknown, syscall: string): { key: string; display: string } {
  if (typeof path === 'string') {
    if (path.includes('\0')) throw invalidArgument(syscall, 'the path contains a NUL character', path);
    const key = byteKey(path);
    return { key, display: path };
  }
  if (path instanceof Uint8Array) {
    const key = byteKey(path);
    const display = displayPath(key);
    if (path.includes(0)) throw invalidArgument(syscall, 'the path contains a NUL byte', display);
    return { key, display };
  }
  throw invalidArgument(syscall, `the path must be a string or a Uint8Array, got ${typeof path}`);
}

/** Validates the options every instance takes; makes its record source. */
export function openSource(options: Omit<InotifyOptions, 'paths'>): RecordSource {
  const { blockDurationS = 1, readBufferBytes, asyncReads = 'auto', readDelayMs = 0 } = options;
  if (typeof readDelayMs !== 'number' || !(readDelayMs >= 0 && readDelayMs <= 1000)) {
    throw invalidArgument(
      'read',
      `readDelayMs must be a number of milliseconds from 0 to 1000, got ${String(readDelayMs)}`,
    );
  }
  if (asyncReads !== 'auto' && asyncReads !== 'event-loop' && asyncReads !== 'thread') {
    throw invalidArgument(
      'read',
      `asyncReads must be 'auto', 'event-loop' or 'thread', got ${JSON.stringify(asyncReads)}`,
    );
  }
  if (asyncReads === 'event-loop' && !sys.eventLoopReadsAvailable()) {
    throw invalidArgument(
      'read',
      "asyncReads is 'event-loop', but this Node offers no pipe_wrap binding through process.binding() (or runs with --pending-deprecation); use 'auto' or 'thread'",
    );
  }
  if (typeof blockDurationS !== 'function') secondsToMs(blockDurationS, 'blockDurationS');
  if (
    readBufferBytes !== undefined &&
    (!Number.isSafeInteger(readBufferBytes) ||
      readBufferBytes < MIN_INPUT_BYTES ||
      readBufferBytes > MAX_INPUT_BYTES)
  ) {
    throw invalidArgument(
      'read',
      `readBufferBytes must be an integer from ${MIN_INPUT_BYTES} (the largest single event) to ${MAX_INPUT_BYTES}, got ${String(readBufferBytes)}`,
    );
  }
  return new RecordSource(readBufferBytes, asyncReads, readDelayMs);
}

/** The three generators over a pipeline, with the options every instance validates the same way. */
export class Consumers {
  readonly #p: Pipeline;
  readonly #blockDurationS: number | (() => number);

  constructor(p: Pipeline, blockDurationS: number | (() => number) = 1) {
    this.#p = p;
    this.#blockDurationS = blockDurationS;
  }

  eventGen(options: EventGenOptions): Generator<InotifyEvent | null, void, undefined> {
    const source = this.#p.source;
    source.assertOpen('read');
    source.assertIdle();
    const consumer = consumerOf(options);
    const block = this.#blockDurationS;
    const blockMs =
      typeof block === 'function'
        ? () => Math.min(MAX_POLL_MS, secondsToMs(block(), 'blockDurationS()'))
        : () => Math.min(MAX_POLL_MS, block * 1000);
    return syncEvents(this.#p, consumer, options.yieldNones ?? true, blockMs);
  }

  events(options: EventsOptions): AsyncGenerator<InotifyEvent, void, undefined> {
    this.#p.source.assertOpen('read');
    const consumer = consumerOf(options);
    return asyncEvents(this.#p, consumer, checkSignal(options.signal));
  }

  batches(options: BatchesOptions): AsyncGenerator<EventBatch, void, undefined> {
    this.#p.source.assertOpen('read');
    return batchEvents(this.#p, checkSignal(options.signal));
  }
}

/**
 * One inotify instance: its watches and its events, read synchronously (`eventGen()`, the Python
 * package's generator), asynchronously (`events()`) or as columnar batches (`batches()`).
 *
 * @example
 * ```ts
 * import { Inotify } from '@inotify-ts/inotify';
 *
 * using inotify = new Inotify();
 * inotify.addWatch('/tmp');
 * for (const event of inotify.eventGen({ timeoutS: 5 })) {
 *   if (event !== null) console.log(event.typeNames, event.path, event.filename);
 * }
 * ```
 */
export class Inotify implements Disposable, AsyncDisposable {
  readonly #source: RecordSource;
  readonly #consumers: Consumers;

  /**
   * Creates the instance (`inotify_init1(IN_NONBLOCK | IN_CLOEXEC)`) and watches `paths`.
   *
   * @throws {InotifyError} EMFILE at the instance limit; any `addWatch()` error for `paths` (the
   * instance is then closed again); ERR_INVALID_ARG_VALUE for bad options.
   */
  constructor(options: InotifyOptions = {}) {
    const { paths, blockDurationS = 1 } = options;
    if (typeof paths === 'string') {
      throw invalidArgument(
        'inotify_add_watch',
        'paths must be a list of paths; wrap a single path in an array',
        paths,
      );
    }
    this.#source = openSource(options);
    this.#consumers = new Consumers(new PlainPipeline(this.#source), blockDurationS);
    if (paths !== undefined) {
      try {
        for (const path of paths) this.addWatch(path);
      } catch (error) {
        this.#source.close();
        throw error;
      }
    }
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#source.closed;
  }

  /**
   * Watches `path` (`inotify_add_watch`) and returns its watch descriptor. Watching a path whose
   * inode is already watched returns the same wd and replaces its mask (with `IN_MASK_ADD`: adds
   * to it; with `IN_MASK_CREATE`: fails with EEXIST), as the kernel does.
   *
   * @param path A string, or the path's raw bytes (a name that is not UTF-8). The instance keys
   * watches by the path's exact bytes, so two paths that differ only in bytes that are not UTF-8
   * are two watches; events report the path as a string (invalid bytes as U+FFFD).
   * @param mask Event bits and watch flags; default `IN_ALL_EVENTS`.
   * @throws {InotifyError} ENOENT, ENOTDIR (also for a non-directory with `IN_ONLYDIR`), EACCES,
   * ENOSPC (watch limit), EINVAL (a mask without event bits, or bits that are not watch bits:
   * checked before the syscall), ERR_INOTIFY_CLOSED.
   */
  addWatch(path: string | Uint8Array, mask: number = IN_ALL_EVENTS): number {
    const { key, display } = pathKey(path, 'inotify_add_watch');
    const source = this.#source;
    source.assertOpen('inotify_add_watch', display);
    const bits = checkWatchMask(display, mask);
    const wd = source.watches.add(path, bits);
    const entry: PathWatch = { bytes: key, path: display, byPath: true };
    source.watches.set(wd, entry);
    return wd;
  }

  /**
   * Stops watching `path` (matched by its exact bytes). Nothing more is delivered for it, not
   * even the `IN_IGNORED` the kernel queues in answer (events already read for it are dropped
   * too).
   *
   * @param superficial Only forget the watch here, without `inotify_rm_watch` (the kernel ended
   * it already, e.g. the directory was deleted); the kernel's later events for it are dropped.
   * @returns `true` if `path` was watched, `false` (and nothing happens) if it was not, as in
   * the Python package.
   * @throws {InotifyError} ERR_INOTIFY_CLOSED.
   */
  removeWatch(path: string | Uint8Array, superficial = false): boolean {
    const { key, display } = pathKey(path, 'inotify_rm_watch');
    this.#source.assertOpen('inotify_rm_watch', display);
    const wd = this.#source.watches.wdOfKey(key);
    return wd === undefined ? false : this.removeWatchWithId(wd, superficial);
  }

  /**
   * Stops watching the watch `wd`; see {@link Inotify.removeWatch}.
   * @returns `false` if `wd` was not watched.
   */
  removeWatchWithId(wd: number, superficial = false): boolean {
    const { watches } = this.#source;
    this.#source.assertOpen('inotify_rm_watch');
    if (watches.get(wd) === undefined) return false;
    if (superficial) watches.forget(wd);
    else watches.remove(wd);
    return true;
  }

  /**
   * A snapshot of the watched paths and their wds (empty once closed). Keys are the strings
   * events report: two watched paths that differ only in bytes that are not UTF-8 show as one
   * key here (the newer wd); `pathOf()` and `removeWatch()` with the bytes tell them apart.
   */
  watches(): ReadonlyMap<string, number> {
    return this.#source.watches.snapshot();
  }

  /** The path `wd` watches, `undefined` if it is not watched (for records of `batches()`). */
  pathOf(wd: number): string | undefined {
    return this.#source.watches.get(wd)?.path;
  }

  /**
   * The exact bytes of the path `wd` watches (where `pathOf()` shows bytes that are not UTF-8
   * as U+FFFD), `undefined` if it is not watched. A new `Buffer` each call.
   */
  pathBytesOf(wd: number): Buffer | undefined {
    return bytesOf(this.#source.watches.get(wd));
  }

  /**
   * The Python package's `event_gen()`: a synchronous generator. Each cycle blocks the thread
   * in poll(2) for at most `blockDurationS`, yields every event then read, then `null` (when
   * `yieldNones`, the default). See the package README for `timeoutS`, `filterPredicate` and
   * `terminalEvents`. Breaking out loses nothing: the next generator continues with the events
   * already read.
   *
   * @throws {InotifyError} ERR_INOTIFY_CLOSED, ERR_INVALID_ARG_VALUE for bad options,
   * ERR_INOTIFY_BUSY while an `events()`/`batches()` iterator runs on this instance (here, and
   * from `next()` if one starts while this generator is suspended).
   * @throws {TerminalEventError} (from the generator) for an event listed in `terminalEvents`.
   */
  eventGen(options: EventGenOptions & { yieldNones: false }): Generator<InotifyEvent, void, undefined>;
  eventGen(options?: EventGenOptions): Generator<InotifyEvent | null, void, undefined>;
  eventGen(options: EventGenOptions = {}): Generator<InotifyEvent | null, void, undefined> {
    return this.#consumers.eventGen(options);
  }

  /**
   * The same events as `eventGen()`, as an async iterator that never blocks the event loop: by
   * default libuv reads the fd on the main thread's own loop (see `asyncReads`), and the
   * iterator gives the loop a turn at least every few milliseconds under a stream. Only one
   * `events()`/`batches()` iterator may run per instance (ERR_INOTIFY_BUSY otherwise); `break`
   * ends it, `close()` ends it (done, no error), aborting `signal` rejects with its reason.
   */
  events(options: EventsOptions = {}): AsyncGenerator<InotifyEvent, void, undefined> {
    return this.#consumers.events(options);
  }

  /**
   * Every read of the kernel queue as one columnar `EventBatch`, without building an object per
   * event. A batch is valid until the iterator is advanced. Records are the kernel's own: none
   * is dropped or filtered and nothing is terminal (check `mask` for `IN_Q_OVERFLOW`); resolve
   * paths with {@link Inotify.pathOf}. `IN_IGNORED` ends its watch when the iterator advances.
   */
  batches(options: BatchesOptions = {}): AsyncGenerator<EventBatch, void, undefined> {
    return this.#consumers.batches(options);
  }

  /**
   * Closes the inotify fd: every watch ends, events not yet delivered are discarded, and a
   * running `events()`/`batches()` iterator finishes. Calling it again does nothing.
   */
  close(): void {
    this.#source.close();
  }

  /** `close()`, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** `close()`, for `await using`: a pending read ends at once (it resolves with nothing). */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }
}

function checkSignal(signal: unknown): AbortSignal | undefined {
  if (signal === undefined || signal instanceof AbortSignal) return signal;
  throw invalidArgument('read', 'signal must be an AbortSignal');
}
