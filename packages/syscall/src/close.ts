/**
 * Closing file descriptors created by this package.
 *
 * @module
 */

import { errnoValue } from './errno.js';
import { syscallError } from './explain.js';
import * as libc from './libc.js';
import { validateFd } from './validate.js';
import { releaseFd } from './waiter.js';

const EINTR = errnoValue('EINTR');

/**
 * Closes `fd` (an inotify instance or a wake fd). Closing an inotify instance removes all its
 * watches and drops its queued events.
 *
 * Pending {@link waitReadable} calls on `fd` resolve `false` first. A {@link pollAsync} on
 * `fd` is not woken by closing it: wake it through its wake fd before.
 *
 * On Linux the fd is released even when close(2) reports EINTR, so EINTR is not retried (a
 * retry could close an unrelated fd that reused the number) and is not an error.
 *
 * @throws {InotifyError} `EBADF` when `fd` is not open (closed twice?), `EIO`.
 */
export function close(fd: number): void {
  validateFd(fd);
  releaseFd(fd);
  if (libc.close(fd) < 0) {
    const e = libc.errno();
    if (e !== EINTR) throw syscallError('close', e, { fd });
  }
}
