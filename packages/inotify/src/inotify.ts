import type { EventBatch } from '@inotify-ts/decoder';
import { IN_ALL_EVENTS, MAX_INPUT_BYTES, MIN_INPUT_BYTES } from '@inotify-ts/decoder';
import * as sys from '@inotify-ts/syscall';
import { type AsyncReads, Core } from './core.js';
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
   * - `'event-loop'`: libuv waits for the fd in the main thread's own epoll and reads it
   *   straight into the decoder's memory, the way Node reads a pipe. No thread.
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

const cores = new WeakMap<Inotify, Core>();

/**
 * The state behind an instance, for layers built on it inside this package (recursive trees).
 * @internal
 */
export function coreOf(inotify: Inotify): Core {
  return cores.get(inotify)!;
}

/** Validates a path argument and returns the string the watch table knows it by. */
function pathKey(path: unknown): string {
  if (typeof path === 'string') {
    if (path.includes('\0'))
      throw invalidArgument('inotify_add_watch', 'the path contains a NUL character', path);
    return path;
  }
  if (path instanceof Uint8Array) {
    const key = Buffer.from(path.buffer, path.byteOffset, path.byteLength).toString('utf8');
    if (path.includes(0)) throw invalidArgument('inotify_add_watch', 'the path contains a NUL byte', key);
    return key;
  }
  throw invalidArgument('inotify_add_watch', `the path must be a string or a Uint8Array, got ${typeof path}`);
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
export class Inotify implements Disposable {
  readonly #core: Core;
  readonly #blockDurationS: number | (() => number);

  /**
   * Creates the instance (`inotify_init1(IN_NONBLOCK | IN_CLOEXEC)`) and watches `paths`.
   *
   * @throws {InotifyError} EMFILE at the instance limit; any `addWatch()` error for `paths` (the
   * instance is then closed again).
   */
  constructor(options: InotifyOptions = {}) {
    const { paths, blockDurationS = 1, readBufferBytes, asyncReads = 'auto', readDelayMs = 0 } = options;
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
    if (typeof paths === 'string') {
      throw invalidArgument(
        'inotify_add_watch',
        'paths must be a list of paths; wrap a single path in an array',
        paths,
      );
    }
    this.#blockDurationS = blockDurationS;
    this.#core = new Core(readBufferBytes, asyncReads, readDelayMs);
    cores.set(this, this.#core);
    if (paths !== undefined) {
      try {
        for (const path of paths) this.addWatch(path);
      } catch (error) {
        this.#core.close();
        throw error;
      }
    }
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#core.closed;
  }

  /**
   * Watches `path` (`inotify_add_watch`) and returns its watch descriptor. Watching a path whose
   * inode is already watched returns the same wd and replaces its mask (with `IN_MASK_ADD`: adds
   * to it; with `IN_MASK_CREATE`: fails with EEXIST), as the kernel does.
   *
   * @param path A string, or the path's raw bytes (a name that is not UTF-8); events report it
   * as a string (invalid bytes as U+FFFD).
   * @param mask Event bits and watch flags; default `IN_ALL_EVENTS`.
   * @throws {InotifyError} ENOENT, ENOTDIR (also for a non-directory with `IN_ONLYDIR`), EACCES,
   * ENOSPC (watch limit), EINVAL (a mask without event bits, or bits that are not watch bits:
   * checked before the syscall), ERR_INOTIFY_CLOSED.
   */
  addWatch(path: string | Uint8Array, mask: number = IN_ALL_EVENTS): number {
    const key = pathKey(path);
    this.#core.assertOpen('inotify_add_watch', key);
    const bits = checkWatchMask(key, mask);
    const wd = sys.addWatch(this.#core.fd, path, bits);
    this.#core.watches.set(key, wd);
    return wd;
  }

  /**
   * Stops watching `path`. Nothing more is delivered for it, not even the `IN_IGNORED` the
   * kernel queues in answer (events already read for it are dropped too).
   *
   * @param superficial Only forget the watch here, without `inotify_rm_watch` (the kernel ended
   * it already, e.g. the directory was deleted); the kernel's later events for it are dropped.
   * @returns `true` if `path` was watched, `false` (and nothing happens) if it was not, as in
   * the Python package.
   * @throws {InotifyError} ERR_INOTIFY_CLOSED.
   */
  removeWatch(path: string | Uint8Array, superficial = false): boolean {
    const key = pathKey(path);
    this.#core.assertOpen('inotify_rm_watch', key);
    const wd = this.#core.watches.wdOf(key);
    return wd === undefined ? false : this.removeWatchWithId(wd, superficial);
  }

  /**
   * Stops watching the watch `wd`; see {@link Inotify.removeWatch}.
   * @returns `false` if `wd` was not watched.
   */
  removeWatchWithId(wd: number, superficial = false): boolean {
    const core = this.#core;
    core.assertOpen('inotify_rm_watch');
    const path = core.watches.pathOf(wd);
    if (path === undefined) return false;
    if (!superficial) {
      try {
        sys.rmWatch(core.fd, wd);
      } catch (error) {
        // EINVAL: the kernel ended the watch already (its IN_IGNORED is queued but not read yet).
        if ((error as { code?: unknown }).code !== 'EINVAL') throw error;
      }
    }
    core.watches.delete(wd);
    return true;
  }

  /** A snapshot of the watched paths and their wds (empty once closed). */
  watches(): ReadonlyMap<string, number> {
    return this.#core.watches.snapshot();
  }

  /** The path `wd` watches, `undefined` if it is not watched (for records of `batches()`). */
  pathOf(wd: number): string | undefined {
    return this.#core.watches.pathOf(wd);
  }

  /**
   * The Python package's `event_gen()`: a synchronous generator. Each cycle blocks the thread
   * in poll(2) for at most `blockDurationS`, yields every event then read, then `null` (when
   * `yieldNones`, the default). See the package README for `timeoutS`, `filterPredicate` and
   * `terminalEvents`. Breaking out loses nothing: the next generator continues with the events
   * already read.
   *
   * @throws {InotifyError} ERR_INOTIFY_CLOSED, ERR_INVALID_ARG_VALUE for bad options.
   * @throws {TerminalEventError} (from the generator) for an event listed in `terminalEvents`.
   */
  eventGen(options: EventGenOptions = {}): Generator<InotifyEvent | null, void, undefined> {
    this.#core.assertOpen('read');
    const consumer = consumerOf(options);
    const block = this.#blockDurationS;
    const blockMs =
      typeof block === 'function'
        ? () => Math.min(MAX_POLL_MS, secondsToMs(block(), 'blockDurationS()'))
        : () => Math.min(MAX_POLL_MS, block * 1000);
    return syncEvents(this.#core, consumer, options.yieldNones ?? true, blockMs);
  }

  /**
   * The same events as `eventGen()`, as an async iterator that never blocks the event loop: it
   * waits on the process's one shared waiter thread, not on the libuv threadpool. Only one
   * `events()`/`batches()` iterator may run per instance (ERR_INOTIFY_BUSY otherwise); `break`
   * ends it, `close()` ends it (done, no error), aborting `signal` rejects with its reason.
   */
  events(options: EventsOptions = {}): AsyncGenerator<InotifyEvent, void, undefined> {
    this.#core.assertOpen('read');
    const consumer = consumerOf(options);
    return asyncEvents(this.#core, consumer, checkSignal(options.signal));
  }

  /**
   * Every read of the kernel queue as one columnar `EventBatch`, without building an object per
   * event. A batch is valid until the iterator is advanced. Records are the kernel's own: none
   * is dropped or filtered and nothing is terminal (check `mask` for `IN_Q_OVERFLOW`); resolve
   * paths with {@link Inotify.pathOf}. `IN_IGNORED` ends its watch when the iterator advances.
   */
  batches(options: BatchesOptions = {}): AsyncGenerator<EventBatch, void, undefined> {
    this.#core.assertOpen('read');
    return batchEvents(this.#core, checkSignal(options.signal));
  }

  /**
   * Closes the inotify fd: every watch ends, events not yet delivered are discarded, and a
   * running `events()`/`batches()` iterator finishes. Calling it again does nothing.
   */
  close(): void {
    this.#core.close();
  }

  /** `close()`, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

function checkSignal(signal: unknown): AbortSignal | undefined {
  if (signal === undefined || signal instanceof AbortSignal) return signal;
  throw invalidArgument('read', 'signal must be an AbortSignal');
}
