/**
 * Asynchronous reads of an inotify fd into one caller-owned buffer, without blocking the event
 * loop.
 *
 * Two ways to wait, one interface ({@link AsyncReader}):
 *
 * - `'event-loop'` (preferred): the fd (a duplicate of it) is handed to libuv as a stream, the
 *   way Node opens a pipe, and libuv's own epoll, on the main thread, waits for it. When it is
 *   readable libuv calls `read(2)` into the reader's staging buffer (Node's `onread` user buffer)
 *   and the bytes are copied into the caller's buffer for the pending read. No thread, no worker.
 *   The fd stays armed in libuv's epoll between reads: arming and disarming it costs two
 *   `epoll_ctl` calls per read, more than the copy of what one read brings. What libuv reads
 *   while no read is pending stays staged (and libuv stops reading) until the next read takes it,
 *   asynchronous or not ({@link AsyncReader.readSync}). The staging buffer is
 *   why the caller's buffer is never written while it holds events not yet read by its owner. It
 *   needs Node's `pipe_wrap` binding, reached through `process.binding()`, which Node documents as
 *   deprecated (DEP0111): pipe-wrap.ts says what that risks and what guards it. Where the binding
 *   is gone or refuses the fd, `'auto'` falls back to:
 * - `'thread'`: {@link waitReadable}'s shared waiter thread blocks in `epoll_wait`, then the
 *   main thread reads with {@link read}.
 *
 *
 * @module
 */

import { Socket } from 'node:net';
import { F_DUPFD_CLOEXEC, MIN_READ_BUFFER_SIZE } from './constants.js';
import { bufferTooSmall, InotifyError, invalidArgType, invalidArgValue } from './errors.js';
import { syscallError } from './explain.js';
import { read } from './inotify.js';
import * as libc from './libc.js';
import { type PipeBinding, type PipeHandle, pipeBinding } from './pipe-wrap.js';
import { toPollTimeout, validateFd, validateUint8Array } from './validate.js';
import { type PendingWait, waitReadable } from './waiter.js';

/** How an {@link AsyncReader} waits: see the module comment. */
export type ReaderKind = 'event-loop' | 'thread';

/** Options of {@link createReader}. */
export interface ReaderOptions {
  /** `'auto'` (default): `'event-loop'` where Node allows it, `'thread'` elsewhere. */
  readonly kind?: 'auto' | ReaderKind | undefined;
}

/** Options of {@link AsyncReader.read}. */
export interface ReadOptions {
  /** Aborting it rejects the read with `signal.reason` (nothing is read then). */
  readonly signal?: AbortSignal | undefined;
  /** Resolve `0` after this many milliseconds; omitted, negative or `Infinity`: no timeout. */
  readonly timeoutMs?: number | undefined;
}

/** Reads one fd into one buffer, asynchronously; from {@link createReader}. */
export interface AsyncReader {
  /** How it waits. */
  readonly kind: ReaderKind;
  /** The buffer every read fills from its start. */
  readonly buffer: Uint8Array;
  /** Whether {@link close} was called. */
  readonly closed: boolean;
  /**
   * Bytes read from the fd ahead of any read that asked for them (the `'event-loop'` kind reads
   * as soon as the fd is readable), not handed out yet: they come before anything still queued
   * in the kernel. Always 0 for the `'thread'` kind.
   */
  readonly staged: number;
  /**
   * Reads without waiting into `into`, from its start: the {@link staged} bytes first, then, in
   * the room left (when at least one largest event, 272 bytes, fits), what the kernel queue
   * holds, one non-blocking `read(2)`. Whoever reads the fd while this reader lives reads it
   * through here, or it would take later events before the staged ones.
   *
   * @param into at least 272 bytes, or at least {@link staged} bytes (then only they are read).
   * @returns the bytes read; `0` when nothing was staged or queued.
   * @throws {InotifyError} (`syscall: 'read'`) when the read fails; `ERR_BUFFER_TOO_SMALL` as
   *   `read()` of this package.
   */
  readSync(into: Uint8Array): number;
  /**
   * Waits until the fd has events and reads them into {@link buffer}, from its start, as many
   * whole events as fit: one `read(2)` (or the {@link staged} bytes, when there are some). One
   * read at a time.
   *
   * @returns the bytes read (> 0); `0` when `timeoutMs` passed first, or the reader was closed.
   *   `timeoutMs: 0` reads what is queued now without waiting.
   * @throws (rejects) `signal.reason` when `signal` aborts; `ERR_INVALID_STATE` while another
   *   read is pending; {@link InotifyError} (`syscall: 'read'`) when the read fails.
   */
  read(options?: ReadOptions): Promise<number>;
  /**
   * Stops: a pending read resolves `0`, and the duplicate fd of an `'event-loop'` reader is
   * closed. The fd itself stays open (the caller owns it). Idempotent.
   */
  close(): void;
  /** {@link close}, for `using`. */
  [Symbol.dispose](): void;
  /**
   * {@link close}, then waits until the reader has let go of everything: the pending read has
   * settled (a `'thread'` reader's wait has left the waiter), the `'event-loop'` reader's libuv
   * handle is closed. For `await using`.
   */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Whether `'event-loop'` readers can be made in this process. */
export function eventLoopReadsAvailable(): boolean {
  return pipeBinding() !== null;
}

function invalidState(message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code: 'ERR_INVALID_STATE' });
}

/** A validated {@link ReadOptions}: poll-style timeout (-1: none). */
interface Checked {
  readonly signal: AbortSignal | undefined;
  readonly timeout: number;
}

function checkReadOptions(options: unknown): Checked {
  if (typeof options !== 'object' || options === null)
    throw invalidArgType('options', 'of type object', options);
  const { signal, timeoutMs } = options as ReadOptions;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw invalidArgType('options.signal', 'an instance of AbortSignal', signal);
  }
  const timeout = timeoutMs === undefined ? -1 : toPollTimeout(timeoutMs, 'options.timeoutMs');
  return { signal, timeout };
}

type Pending = PendingWait<number>;

/** libuv reads the fd on the main thread's event loop; see the module comment. */
class EventLoopReader implements AsyncReader {
  readonly kind = 'event-loop';
  readonly #fd: number;
  readonly #socket: Socket;
  readonly #handle: PipeHandle;
  /** Where libuv reads; the same length as {@link buffer}. */
  readonly #staging: Uint8Array;
  #pending: Pending | null = null;
  /** Bytes libuv read into {@link #staging} while no read was pending; it reads no more meanwhile. */
  #staged = 0;
  #error: unknown = null;
  #closed = false;

  constructor(
    fd: number,
    readonly buffer: Uint8Array,
    pipe: PipeBinding,
  ) {
    this.#fd = fd;
    this.#staging = new Uint8Array(buffer.byteLength);
    // A duplicate, so that libuv, which closes what it reads when the stream ends, owns its own
    // fd: the caller's fd stays valid for synchronous reads, and closing is never done twice.
    const dup = libc.fcntl(fd, F_DUPFD_CLOEXEC, 'int', 3);
    if (dup < 0) throw syscallError('fcntl', libc.errno(), { fd });
    const handle = new pipe.Pipe(pipe.constants.SOCKET);
    this.#handle = handle;
    const status = handle.open(dup);
    if (status !== 0) {
      libc.close(dup);
      // libuv errors are negated errno values.
      throw syscallError('uv_pipe_open', -status, { fd });
    }
    this.#socket = new Socket({
      handle,
      readable: true,
      writable: false,
      onread: { buffer: this.#staging, callback: (bytes: number) => this.#onRead(bytes) },
    } as ConstructorParameters<typeof Socket>[0]);
    // The socket starts reading at once: nothing is read before the first read() asks.
    this.#socket.pause();
    // Armed between reads, the handle must not keep the process alive: it is referenced only
    // while a read is pending.
    handle.unref();
    this.#socket.on('error', (error: NodeJS.ErrnoException) => this.#fail(error));
    this.#socket.on('end', () =>
      this.#fail(
        invalidState(`read of inotify fd ${fd} returned 0 bytes (end of file), which inotify never does`),
      ),
    );
  }

  get closed(): boolean {
    return this.#closed;
  }

  get staged(): number {
    return this.#staged;
  }

  readSync(into: Uint8Array): number {
    const staged = this.#staged;
    if (staged === 0) return read(this.#fd, into);
    validateUint8Array(into, 'into');
    if (into.byteLength < staged) {
      throw bufferTooSmall(
        `The read buffer has ${into.byteLength} bytes; ${staged} bytes of events are staged`,
      );
    }
    into.set(this.#staging.subarray(0, staged));
    this.#staged = 0;
    // What followed them in the kernel queue, in the same read: a consumer that waits between
    // reads (readDelayMs) gets what arrived meanwhile in one batch, as without staging.
    if (into.byteLength - staged < MIN_READ_BUFFER_SIZE) return staged;
    return staged + read(this.#fd, into.subarray(staged));
  }

  read(options: ReadOptions = {}): Promise<number> {
    try {
      const { signal, timeout } = checkReadOptions(options);
      if (this.#pending !== null) throw invalidState('read() called while another read is pending');
      if (signal?.aborted) return Promise.reject(signal.reason);
      // A stream that failed is destroyed at once; its 'error' event comes a tick later.
      const errored = this.#socket.errored;
      if (this.#error === null && errored !== null) this.#fail(errored);
      if (this.#error !== null) return Promise.reject(this.#error);
      if (this.#closed) return Promise.resolve(0);
      if (this.#staged > 0 || timeout === 0) return Promise.resolve(this.readSync(this.buffer));
      return new Promise<number>((resolve, reject) => {
        const pending: Pending = { resolve, reject, timer: undefined, signal, onAbort: undefined };
        this.#pending = pending;
        if (timeout > 0) pending.timer = setTimeout(() => this.#settle(pending, 0), timeout);
        if (signal !== undefined) {
          pending.onAbort = () => {
            if (this.#take(pending)) reject(signal.reason);
          };
          signal.addEventListener('abort', pending.onAbort, { once: true });
        }
        this.#handle.ref();
        // Still armed after the last read, unless bytes were staged (or it failed) since.
        if (this.#handle.reading) return;
        // The handle itself, not socket.resume(): that goes through the Readable state machine
        // and a nextTick per read, for nothing (with a user buffer, no data goes through it).
        this.#handle.reading = true;
        const error = this.#handle.readStart();
        if (error !== 0) this.#fail(syscallError('read', -error, { fd: this.#fd }));
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const pending = this.#pending;
    if (pending !== null) this.#settle(pending, 0);
    // Closes the duplicate fd at once (libuv closes a stream's fd synchronously).
    this.#socket.destroy();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    // The handle itself is released on a later loop turn; the socket says when.
    if (!this.#socket.closed) await new Promise((resolve) => this.#socket.once('close', resolve));
  }

  /**
   * libuv read `bytes` into the staging buffer: hand them to the pending read and stay armed
   * (`true`), or, with none pending, keep them staged and stop reading (`false`: Node then calls
   * `readStop`), so that nothing overwrites them before they are taken.
   */
  #onRead(bytes: number): boolean {
    if (this.#staged > 0) {
      // libuv reads only while nothing is staged; were it to read again, the staged bytes would
      // be overwritten: say so rather than lose them silently.
      this.#fail(
        Object.assign(
          new Error(
            `internal error: libuv read inotify fd ${this.#fd} while ${this.#staged} bytes were staged; please report it`,
          ),
          { code: 'ERR_INOTIFY_INTERNAL' },
        ),
      );
      return false;
    }
    const pending = this.#pending;
    if (pending !== null && this.#take(pending)) {
      this.buffer.set(this.#staging.subarray(0, bytes));
      pending.resolve(bytes);
      return true;
    }
    this.#staged = bytes;
    return false;
  }

  #fail(error: NodeJS.ErrnoException | Error): void {
    // Node's stream errors carry libuv's code, the negated errno on Linux.
    const errno = (error as NodeJS.ErrnoException).errno;
    this.#error =
      error instanceof InotifyError || typeof errno !== 'number'
        ? error
        : syscallError('read', Math.abs(errno), { fd: this.#fd });
    const pending = this.#pending;
    if (pending !== null && this.#take(pending)) pending.reject(this.#error);
  }

  /** Ends `pending` if it still is the pending read; `false` if it was settled already. */
  #take(pending: Pending): boolean {
    if (this.#pending !== pending) return false;
    this.#pending = null;
    if (pending.timer !== undefined) clearTimeout(pending.timer);
    if (pending.onAbort !== undefined) pending.signal?.removeEventListener('abort', pending.onAbort);
    // The fd stays armed (see #onRead); without a pending read it holds the process no longer.
    if (!this.#socket.destroyed) this.#handle.unref();
    return true;
  }

  #settle(pending: Pending, bytes: number): void {
    if (this.#take(pending)) pending.resolve(bytes);
  }
}

/** The shared waiter thread waits, the main thread reads; see the module comment. */
class ThreadReader implements AsyncReader {
  readonly kind = 'thread';
  readonly #fd: number;
  /** Aborts the pending read's wait (close, or the caller's signal); `null`: none pending. */
  #current: AbortController | null = null;
  /** Resolves when the pending read has settled and left the waiter. */
  #settled: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(
    fd: number,
    readonly buffer: Uint8Array,
  ) {
    this.#fd = fd;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** A thread reader reads only when asked: nothing is ever staged. */
  readonly staged = 0;

  readSync(into: Uint8Array): number {
    return read(this.#fd, into);
  }

  async read(options: ReadOptions = {}): Promise<number> {
    const { signal, timeout } = checkReadOptions(options);
    if (this.#current !== null) throw invalidState('read() called while another read is pending');
    signal?.throwIfAborted();
    if (this.#closed) return 0;
    const local = new AbortController();
    const onAbort = () => local.abort();
    this.#current = local;
    let markSettled = (): void => {};
    this.#settled = new Promise<void>((resolve) => {
      markSettled = resolve;
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    const deadline = timeout < 0 ? Number.POSITIVE_INFINITY : performance.now() + timeout;
    try {
      for (;;) {
        const bytes = read(this.#fd, this.buffer);
        if (bytes > 0) return bytes;
        const left = deadline - performance.now();
        if (left <= 0) return 0;
        try {
          if (!(await waitReadable(this.#fd, { signal: local.signal, timeoutMs: left }))) return 0;
        } catch (error) {
          if (error !== local.signal.reason) throw error;
          signal?.throwIfAborted();
          return 0; // closed
        }
        if (this.#closed) return 0;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.#current = null;
      markSettled();
    }
  }

  close(): void {
    this.#closed = true;
    this.#current?.abort();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.#settled;
  }
}

/**
 * A reader of inotify fd `fd` into `buffer`: see {@link AsyncReader} and the module comment for
 * the two kinds. Close it before closing `fd`.
 *
 * @param buffer at least {@link MIN_READ_BUFFER_SIZE} (272) bytes, reused by every read; a
 *   view on WebAssembly memory is filled in place (it must not grow while the reader lives).
 * @throws {TypeError} `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad arguments, or
 *   `kind: 'event-loop'` where Node does not allow it; {@link RangeError}
 *   `ERR_BUFFER_TOO_SMALL`; {@link InotifyError} `EBADF` when `fd` is not open, `EMFILE` when no
 *   fd is left for the duplicate.
 */
export function createReader(fd: number, buffer: Uint8Array, options: ReaderOptions = {}): AsyncReader {
  validateFd(fd);
  validateUint8Array(buffer, 'buffer');
  if (buffer.byteLength < MIN_READ_BUFFER_SIZE) {
    throw bufferTooSmall(
      `The read buffer has ${buffer.byteLength} bytes; it must have at least ${MIN_READ_BUFFER_SIZE} ` +
        '(sizeof(struct inotify_event) + NAME_MAX + 1)',
    );
  }
  if (typeof options !== 'object' || options === null)
    throw invalidArgType('options', 'of type object', options);
  const kind = options.kind ?? 'auto';
  if (kind !== 'auto' && kind !== 'event-loop' && kind !== 'thread') {
    throw invalidArgValue('options.kind', "must be 'auto', 'event-loop' or 'thread'", kind);
  }
  if (kind === 'thread') return new ThreadReader(fd, buffer);
  const pipe = pipeBinding();
  if (pipe === null) {
    if (kind === 'auto') return new ThreadReader(fd, buffer);
    throw invalidArgValue(
      'options.kind',
      "is 'event-loop', but this Node offers no pipe_wrap binding through process.binding() (or runs with --pending-deprecation)",
      kind,
    );
  }
  if (kind === 'event-loop') return new EventLoopReader(fd, buffer, pipe);
  try {
    return new EventLoopReader(fd, buffer, pipe);
  } catch (error) {
    // EBADF is the caller's; anything else (libuv refusing the fd) leaves the thread kind.
    if ((error as { code?: unknown }).code === 'EBADF' || (error as { code?: unknown }).code === 'EMFILE')
      throw error;
    return new ThreadReader(fd, buffer);
  }
}
