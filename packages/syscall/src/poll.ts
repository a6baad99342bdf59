/**
 * Waiting for an fd to become readable with `poll(2)`, blocking or on a libuv thread, and the
 * eventfd that wakes an asynchronous wait early.
 *
 * @module
 */

import { performance } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';
import { EFD_CLOEXEC, EFD_NONBLOCK, POLLIN, POLLNVAL } from './constants.js';
import { errnoValue } from './errno.js';
import { syscallError } from './explain.js';
import * as libc from './libc.js';
import { ownFd } from './owner.js';
import { toPollTimeout, validateFd } from './validate.js';

const EINTR = errnoValue('EINTR');
const EAGAIN = errnoValue('EAGAIN');
const EBADF = errnoValue('EBADF');

/**
 * An array of `struct pollfd { int fd; short events; short revents; }` (8 bytes each) in JS
 * memory, passed to poll(2) without a copy.
 */
class PollFds {
  readonly i32: Int32Array;
  readonly i16: Int16Array;
  constructor(readonly count: number) {
    this.i32 = new Int32Array(count * 2);
    this.i16 = new Int16Array(this.i32.buffer);
  }
  set(index: number, fd: number, events: number): void {
    this.i32[index * 2] = fd;
    this.i16[index * 4 + 2] = events;
    this.i16[index * 4 + 3] = 0;
  }
  revents(index: number): number {
    return this.i16[index * 4 + 3]!;
  }
}

/** Remaining time of a poll timeout after an EINTR, or -1 (none) unchanged. */
function remaining(timeout: number, start: number): number {
  if (timeout < 0) return -1;
  return Math.max(0, Math.ceil(timeout - (performance.now() - start)));
}

const syncFds = new PollFds(1);

/**
 * The longest single poll(2) of {@link poll} in a worker thread. `worker.terminate()` takes
 * effect only when the thread is back in JavaScript, so a worker blocked in one long poll(2)
 * would hold its terminate() (and the exit of its parent) for the whole timeout; in slices of
 * this length it is back in JavaScript at least this often. The main thread is never
 * terminated that way and waits in one call.
 */
const WORKER_POLL_SLICE_MS = 50;
const slice = isMainThread ? -1 : WORKER_POLL_SLICE_MS;

/**
 * Blocks the calling thread in `poll(2)` until `fd` is readable or `timeoutMs` passes.
 * A signal interrupting the wait (EINTR) does not end it early: it is retried with the time
 * that remains. In a worker thread the wait is made of poll(2) calls of at most 50 ms, so that
 * `worker.terminate()` ends a worker blocked here within about that.
 *
 * This blocks the event loop; see {@link pollAsync} and {@link waitReadable} for waits that
 * do not.
 *
 * @param timeoutMs milliseconds to wait; `0` checks without waiting; negative or `Infinity`
 *   waits forever. Fractions round up.
 * @returns `true` if `fd` is readable, `false` on timeout.
 * @throws {InotifyError} `EBADF` (syscall `'poll'`) when `fd` is not open (poll(2) reports that
 *   as `POLLNVAL`, not as an error), `ENOMEM`.
 */
export function poll(fd: number, timeoutMs: number): boolean {
  validateFd(fd);
  const timeout = toPollTimeout(timeoutMs);
  const start = performance.now();
  let left = timeout;
  for (;;) {
    syncFds.set(0, fd, POLLIN);
    const sliced = slice > 0 && (left < 0 || left > slice);
    const n = libc.poll(syncFds.i32, 1, sliced ? slice : left);
    if (n < 0) {
      const e = libc.errno();
      if (e !== EINTR) throw syscallError('poll', e, { fd });
      left = remaining(timeout, start);
      continue;
    }
    if (n === 0) {
      if (!sliced) return false;
      left = remaining(timeout, start);
      continue;
    }
    const revents = syncFds.revents(0);
    if ((revents & POLLNVAL) !== 0) throw syscallError('poll', EBADF, { fd });
    return true;
  }
}

/** How a {@link pollAsync} wait ended. */
export type PollResult = 'readable' | 'timeout' | 'woken';

/**
 * Waits in `poll(2)` on a libuv threadpool thread (koffi `.async`) until `fd` is readable, the
 * timeout passes, or `wakeFd` is woken with {@link wake}. The event loop keeps running.
 *
 * Each pending call occupies one of libuv's threadpool threads (4 by default, shared with
 * `fs`, `dns`, `zlib`): use {@link waitReadable} to wait on many fds at once.
 *
 * A wait is not interrupted when `fd` is closed by another thread (Linux poll(2) keeps
 * waiting): wake it through `wakeFd` before closing.
 *
 * @param timeoutMs as for {@link poll}.
 * @param wakeFd an eventfd from {@link createWakeFd}. When it is woken the call resolves
 *   `'woken'` (even if `fd` is readable too) and the eventfd's counter is reset, so the next
 *   wait on it blocks again.
 * @returns `'readable'`, `'timeout'` or `'woken'`.
 * @throws {InotifyError} (rejects) `EBADF` when `fd` or `wakeFd` is not open.
 */
export function pollAsync(fd: number, timeoutMs: number, wakeFd?: number): Promise<PollResult> {
  try {
    validateFd(fd);
    if (wakeFd !== undefined) validateFd(wakeFd, 'wakeFd');
    const timeout = toPollTimeout(timeoutMs);
    return pollOnThread(fd, timeout, wakeFd);
  } catch (error) {
    return Promise.reject(error);
  }
}

function pollOnThread(fd: number, timeout: number, wakeFd: number | undefined): Promise<PollResult> {
  const fds = new PollFds(wakeFd === undefined ? 1 : 2);
  const start = performance.now();
  return new Promise<PollResult>((resolve, reject) => {
    const attempt = (left: number): void => {
      fds.set(0, fd, POLLIN);
      if (wakeFd !== undefined) fds.set(1, wakeFd, POLLIN);
      libc.poll.async(fds.i32, fds.count, left, (err, n) => {
        // koffi sets errno for the duration of this callback only: read it first.
        const e = libc.errno();
        if (err) return reject(err);
        if (n < 0) {
          if (e === EINTR) return attempt(remaining(timeout, start));
          return reject(syscallError('poll', e, { fd }));
        }
        if (n === 0) return resolve('timeout');
        if ((fds.revents(0) & POLLNVAL) !== 0) return reject(syscallError('poll', EBADF, { fd }));
        if (wakeFd !== undefined && fds.revents(1) !== 0) {
          if ((fds.revents(1) & POLLNVAL) !== 0) return reject(syscallError('poll', EBADF, { fd: wakeFd }));
          try {
            drainWakeFd(wakeFd);
          } catch (error) {
            return reject(error);
          }
          return resolve('woken');
        }
        resolve('readable');
      });
    };
    attempt(timeout);
  });
}

const counter = new BigUint64Array(1);

/**
 * Creates an eventfd (`EFD_CLOEXEC | EFD_NONBLOCK`) to wake {@link pollAsync} early with
 * {@link wake}. Close it with {@link close}, in the same thread (its event loop owns it, as
 * {@link init}'s fds).
 *
 * @throws {InotifyError} `EMFILE`, `ENFILE`, `ENOMEM`.
 */
export function createWakeFd(): number {
  const fd = libc.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd < 0) throw syscallError('eventfd', libc.errno());
  ownFd(fd);
  return fd;
}

/**
 * Wakes every {@link pollAsync} currently waiting on `wakeFd` (adds 1 to the eventfd counter).
 * Waking an fd that is already woken is harmless.
 *
 * @throws {InotifyError} `EBADF` when `wakeFd` is not open, `EINVAL` when it is not an eventfd.
 */
export function wake(wakeFd: number): void {
  validateFd(wakeFd, 'wakeFd');
  counter[0] = 1n;
  for (;;) {
    if (libc.write(wakeFd, counter, 8) === 8) return;
    const e = libc.errno();
    // EAGAIN: the counter is at its maximum, which is as woken as it gets.
    if (e === EAGAIN) return;
    if (e !== EINTR) throw syscallError('write', e, { fd: wakeFd });
  }
}

/** Resets an eventfd's counter to 0 (EAGAIN: it already was). @internal */
export function drainWakeFd(wakeFd: number): void {
  for (;;) {
    if (libc.read(wakeFd, counter, 8) === 8) return;
    const e = libc.errno();
    if (e === EAGAIN) return;
    if (e !== EINTR) throw syscallError('read', e, { fd: wakeFd });
  }
}
