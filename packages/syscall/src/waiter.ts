/**
 * The shared waiter: one worker thread for the whole process blocks in `epoll_wait` over every
 * fd that someone is waiting on, so any number of inotify instances wait at once without
 * holding a libuv threadpool thread each (the pool has 4, shared with `fs`, `dns` and `zlib`).
 *
 * - The worker starts on the first wait that has to block, and then stays (starting it loads
 *   koffi in a new thread, which takes tens of milliseconds).
 * - The main thread registers each fd with `EPOLLIN | EPOLLONESHOT` while someone waits on it
 *   and removes it when its waits are settled, so an idle waiter watches nothing.
 * - The worker is `unref()`ed while nothing waits: it never keeps the process alive. On exit,
 *   the main thread wakes it through a control eventfd and waits until it is out of koffi:
 *   `process.exit()` terminates workers, and terminating one inside koffi (loading it, or in
 *   a call) aborts the whole process (see {@link WaiterState}). A worker that has not begun
 *   loading koffi is told never to, and the process exits at once.
 *
 * @module
 */

import { isMainThread, Worker } from 'node:worker_threads';
import {
  EFD_CLOEXEC,
  EFD_NONBLOCK,
  EPOLL_CLOEXEC,
  EPOLL_CTL_ADD,
  EPOLL_CTL_DEL,
  EPOLL_CTL_MOD,
  EPOLLIN,
  EPOLLONESHOT,
} from './constants.js';
import {
  EPOLL_EVENT_SIZE,
  encodeEpollEvent,
  type WaiterMessage,
  WaiterPhase,
  WaiterState,
  type WaiterWorkerData,
} from './epoll.js';
import { errnoValue } from './errno.js';
import { invalidArgType } from './errors.js';
import { syscallError } from './explain.js';
import * as libc from './libc.js';
import { closeFd, ownFd } from './owner.js';
import { poll } from './poll.js';
import { toPollTimeout, validateFd } from './validate.js';

/** Options of {@link waitReadable}. */
export interface WaitReadableOptions {
  /** Aborting it rejects the wait with `signal.reason`. */
  readonly signal?: AbortSignal | undefined;
  /** Resolve `false` after this many milliseconds; omitted, negative or `Infinity`: no timeout. */
  readonly timeoutMs?: number | undefined;
}

/** A promise waiting to be settled, with the timer and abort listener that may settle it. @internal */
export interface PendingWait<T> {
  readonly resolve: (value: T) => void;
  readonly reject: (reason: unknown) => void;
  timer: NodeJS.Timeout | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

type Wait = PendingWait<boolean>;

/** The waits on one fd and the generation its epoll registration carries. */
interface FdWaits {
  readonly generation: number;
  readonly waits: Set<Wait>;
}

interface Shared {
  readonly epfd: number;
  readonly controlFd: number;
  /** Shared with the worker, indexed by {@link WaiterState}. */
  readonly state: Int32Array;
  readonly worker: Worker;
  /** Whether the worker currently keeps the event loop alive. */
  referenced: boolean;
  /** The process 'exit' listener that stops the worker. */
  readonly onExit: () => void;
}

const EEXIST = errnoValue('EEXIST');
const ENOENT = errnoValue('ENOENT');
const EBADF = errnoValue('EBADF');

const byFd = new Map<number, FdWaits>();
let shared: Shared | undefined;
let generation = 0;
const eventBytes = new Uint8Array(EPOLL_EVENT_SIZE);
const eventView = new DataView(eventBytes.buffer);
const one = new BigUint64Array([1n]);
/**
 * How long the 'exit' listener waits at most for the worker to get out of koffi. It normally
 * takes microseconds (the worker leaves `epoll_wait` when woken) or the rest of koffi's load
 * (tens of milliseconds, more on a loaded machine); the bound only keeps a stuck worker from
 * holding the exit forever.
 */
const EXIT_WAIT_MS = 5000;

/**
 * Where the compiled worker is. From `dist/` it sits next to this file; when this file runs
 * as TypeScript source (the package's own tests), the compiled copy in `dist/` is used.
 */
function workerUrl(): URL {
  const self = import.meta.url;
  return self.endsWith('.ts')
    ? new URL('../dist/waiter-worker.js', self)
    : new URL('./waiter-worker.js', self);
}

/**
 * How long the waiter thread's `epoll_wait` blocks at most before it checks whether to stop.
 * Node stops a worker's own workers (this waiter, when a worker started it) before anything
 * else of its teardown, and joins them: a waiter blocked in `epoll_wait` holds the
 * `terminate()` of the worker that started it for up to this long, since nothing can write
 * its control eventfd then. The main thread's waiter is stopped through the eventfd at exit.
 */
function safetyTimeout(): number {
  return isMainThread ? 1000 : 50;
}

function epollCtl(epfd: number, op: number, fd: number, events: number, gen: number): number {
  encodeEpollEvent(eventView, events, fd, gen);
  return libc.epoll_ctl(epfd, op, fd, eventBytes) < 0 ? libc.errno() : 0;
}

function start(): Shared {
  const epfd = libc.epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) throw syscallError('epoll_create1', libc.errno());
  const controlFd = libc.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (controlFd < 0) {
    const e = libc.errno();
    libc.close(epfd);
    throw syscallError('eventfd', e);
  }
  const e = epollCtl(epfd, EPOLL_CTL_ADD, controlFd, EPOLLIN, 0);
  if (e !== 0) {
    libc.close(controlFd);
    libc.close(epfd);
    throw syscallError('epoll_ctl', e, { fd: controlFd });
  }
  // Owned by this thread's loop, like the instances: closed if this thread is a worker that
  // gets terminated (the waiter thread itself owns nothing and is stopped by Node first).
  ownFd(epfd);
  ownFd(controlFd);
  const state = new SharedArrayBuffer(WaiterState.LENGTH * Int32Array.BYTES_PER_ELEMENT);
  const data: WaiterWorkerData = { epfd, controlFd, state, safetyTimeoutMs: safetyTimeout() };
  // execArgv: [] because the worker is plain JavaScript that needs none of the parent's flags,
  // and some of them (--input-type, loaders meant for the main script) make a worker fail to start.
  const worker = new Worker(workerUrl(), { workerData: data, execArgv: [] });
  const s: Shared = {
    epfd,
    controlFd,
    state: new Int32Array(state),
    worker,
    referenced: true,
    onExit: () => joinOnExit(s),
  };
  worker.on('message', (message: WaiterMessage) => {
    if ('ready' in message) onReady(message.ready);
    else
      fail(
        s,
        syscallError(message.syscall, message.errno, { fd: message.syscall === 'read' ? controlFd : epfd }),
      );
  });
  worker.on('error', (error) => fail(s, error));
  worker.on('exit', (code) => {
    if (Atomics.load(s.state, WaiterState.STOP) === 0)
      fail(s, new Error(`the inotify-ts waiter thread exited with code ${code}`));
  });
  process.once('exit', s.onExit);
  return s;
}

/**
 * Makes the worker leave `epoll_wait` and return, so that the process can join it on exit;
 * a worker that has not begun loading koffi will not load it.
 */
function stopWorker(s: Shared): void {
  Atomics.store(s.state, WaiterState.STOP, 1);
  const phase = Atomics.compareExchange(s.state, WaiterState.PHASE, WaiterPhase.STARTING, WaiterPhase.DONE);
  if (phase === WaiterPhase.STARTING) return;
  // Cannot fail short of a closed fd (it is closed only after this) or a counter at its
  // maximum (EAGAIN), which wakes the worker just as well; the safety timeout covers the rest.
  libc.write(s.controlFd, one, 8);
}

/**
 * The process 'exit' listener: stops the worker and blocks until it is out of koffi, so that
 * the termination that follows cannot catch it inside a native call.
 */
function joinOnExit(s: Shared): void {
  stopWorker(s);
  const deadline = performance.now() + EXIT_WAIT_MS;
  for (;;) {
    const left = deadline - performance.now();
    if (left <= 0) return;
    // 'not-equal' once the phase is DONE; a spurious wake-up or 'timed-out' loops to the check.
    if (Atomics.wait(s.state, WaiterState.PHASE, WaiterPhase.RUNNING, left) === 'not-equal') return;
  }
}

/** The worker failed: every wait rejects with `error`; the next wait starts a new worker. */
function fail(s: Shared, error: unknown): void {
  if (shared !== s) return;
  shared = undefined;
  process.off('exit', s.onExit);
  stopWorker(s);
  for (const [fd, entry] of byFd) {
    byFd.delete(fd);
    for (const wait of entry.waits) {
      finish(wait);
      wait.reject(error);
    }
  }
  void s.worker.terminate().finally(() => {
    closeFd(s.controlFd);
    closeFd(s.epfd);
  });
}

function onReady(ready: Uint32Array): void {
  for (let i = 0; i + 1 < ready.length; i += 2) {
    const fd = ready[i]!;
    const entry = byFd.get(fd);
    // A stale report (the wait was settled and maybe re-armed since) is ignored.
    if (entry !== undefined && entry.generation === ready[i + 1]) settleFd(fd, entry, true);
  }
}

/** Clears a wait's timer and abort listener. */
function finish(wait: Wait): void {
  if (wait.timer !== undefined) clearTimeout(wait.timer);
  if (wait.onAbort !== undefined) wait.signal?.removeEventListener('abort', wait.onAbort);
}

/** Unregisters `fd` and resolves all its waits with `readable`. */
function settleFd(fd: number, entry: FdWaits, readable: boolean): void {
  unregister(fd);
  for (const wait of entry.waits) {
    finish(wait);
    wait.resolve(readable);
  }
}

/** Removes `fd` from the epoll set, and lets the process exit when nothing waits any more. */
function unregister(fd: number): void {
  byFd.delete(fd);
  const s = shared;
  if (s === undefined) return;
  const e = epollCtl(s.epfd, EPOLL_CTL_DEL, fd, 0, 0);
  // ENOENT/EBADF: the fd was closed behind our back, which removed it from the set already.
  // Anything else cannot happen for a valid epfd; report it without failing the waits.
  if (e !== 0 && e !== ENOENT && e !== EBADF) process.emitWarning(syscallError('epoll_ctl', e, { fd }));
  if (byFd.size === 0 && s.referenced) {
    s.referenced = false;
    s.worker.unref();
  }
}

function register(fd: number): FdWaits {
  let entry = byFd.get(fd);
  if (entry !== undefined) return entry;
  shared ??= start();
  const s = shared;
  generation = (generation + 1) >>> 0;
  let e = epollCtl(s.epfd, EPOLL_CTL_ADD, fd, EPOLLIN | EPOLLONESHOT, generation);
  // Still registered from before a close we did not see: take over the registration.
  if (e === EEXIST) e = epollCtl(s.epfd, EPOLL_CTL_MOD, fd, EPOLLIN | EPOLLONESHOT, generation);
  if (e !== 0) throw syscallError('epoll_ctl', e, { fd });
  entry = { generation, waits: new Set() };
  byFd.set(fd, entry);
  if (!s.referenced) {
    s.referenced = true;
    s.worker.ref();
  }
  return entry;
}

function cancel(fd: number, entry: FdWaits, wait: Wait): void {
  finish(wait);
  entry.waits.delete(wait);
  if (entry.waits.size === 0 && byFd.get(fd) === entry) unregister(fd);
}

/**
 * Waits, without blocking the event loop and without a libuv threadpool thread, until `fd`
 * is readable.
 *
 * All waits in the process share one worker thread blocked in `epoll_wait`; it starts on the
 * first wait that has to block and stays, `unref()`ed whenever nothing waits. Several waits on
 * the same fd resolve together.
 *
 * @param fd any pollable fd: an inotify instance, an eventfd, a pipe (a regular file is
 *   always readable).
 * @returns `true` when `fd` is readable (at once, without the worker, if it already is);
 *   `false` when `timeoutMs` passes, or when `fd` is closed with {@link close} while waiting.
 * @throws {InotifyError} (rejects) `EBADF` when `fd` is not open, `EPERM` when it cannot be
 *   polled, or when the waiter cannot start (`EMFILE`, ...).
 * @throws (rejects) `signal.reason` when `signal` aborts, at once if it already has.
 */
export function waitReadable(fd: number, options: WaitReadableOptions = {}): Promise<boolean> {
  try {
    validateFd(fd);
    if (typeof options !== 'object' || options === null)
      throw invalidArgType('options', 'of type object', options);
    const { signal } = options;
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw invalidArgType('options.signal', 'an instance of AbortSignal', signal);
    }
    const timeout =
      options.timeoutMs === undefined ? -1 : toPollTimeout(options.timeoutMs, 'options.timeoutMs');
    if (signal?.aborted) return Promise.reject(signal.reason);
    // Already readable (the common case while events stream in): no round trip to the worker.
    if (poll(fd, 0)) return Promise.resolve(true);
    if (timeout === 0) return Promise.resolve(false);
    const entry = register(fd);
    return new Promise<boolean>((resolve, reject) => {
      const wait: Wait = { resolve, reject, timer: undefined, signal, onAbort: undefined };
      entry.waits.add(wait);
      if (timeout > 0) {
        wait.timer = setTimeout(() => {
          cancel(fd, entry, wait);
          resolve(false);
        }, timeout);
      }
      if (signal !== undefined) {
        wait.onAbort = () => {
          cancel(fd, entry, wait);
          reject(signal.reason);
        };
        signal.addEventListener('abort', wait.onAbort, { once: true });
      }
    });
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Settles every pending {@link waitReadable} on `fd` with `false` and removes `fd` from the
 * waiter's epoll set. {@link close} calls it before closing the fd. @internal
 */
export function releaseFd(fd: number): void {
  const entry = byFd.get(fd);
  if (entry !== undefined) settleFd(fd, entry, false);
}

/** Pending fds and whether the worker runs, for tests and diagnostics. @internal */
export function waiterState(): { fds: number[]; epfd: number | undefined; controlFd: number | undefined } {
  return { fds: [...byFd.keys()], epfd: shared?.epfd, controlFd: shared?.controlFd };
}
