/**
 * Closing file descriptors created by this package.
 *
 * @module
 */

import { closeFd } from './owner.js';
import { validateFd } from './validate.js';
import { releaseFd } from './waiter.js';

/**
 * Closes `fd` (an inotify instance or a wake fd). Closing an inotify instance removes all its
 * watches and drops its queued events.
 *
 * Pending {@link waitReadable} calls on `fd` resolve `false` first. A {@link pollAsync} on
 * `fd` is not woken by closing it: wake it through its wake fd before.
 *
 * Close an fd of this package with this function, in the thread that created it: that thread's
 * event loop owns it, so that it is closed when the thread ends, however it ends (a terminated
 * worker runs no JavaScript); see owner.ts.
 *
 * On Linux the fd is released even when close(2) reports EINTR, so EINTR is not retried (a
 * retry could close an unrelated fd that reused the number) and is not an error.
 *
 * @throws {InotifyError} `EBADF` when `fd` is not open (closed twice?), `EIO`.
 */
export function close(fd: number): void {
  validateFd(fd);
  releaseFd(fd);
  closeFd(fd);
}
