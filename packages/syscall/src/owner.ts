/**
 * The fds this package creates (inotify instances, wake eventfds, the waiter's epoll and
 * control fds) are owned by the event loop of the thread that created them, so that they are
 * closed when that thread ends, however it ends.
 *
 * Why: a worker ended by `worker.terminate()` (or by its parent ending) runs no more
 * JavaScript, so no `close()`, `finally` or 'exit' listener of the user's or ours runs there,
 * and a plain fd would stay open in the process: an inotify instance counts against the
 * per-user `max_user_instances` until the whole process exits. What Node does run at a
 * worker's teardown is libuv: it closes every handle of the worker's loop. So each fd is
 * opened as a libuv pipe handle (Node's `pipe_wrap`, see pipe-wrap.ts) that owns it. The
 * handle never reads (libuv polls an fd only while a stream reads), so it costs no wake-up and
 * does not keep the loop alive; {@link closeFd} closes the fd through the handle.
 *
 * Limits: an fd must be closed through this package's `close()` (closing it with `fs.closeSync`
 * leaves the handle holding a number that may be reused), and in the thread that created it.
 * Where Node offers no `pipe_wrap` binding, fds are plain fds, closed by `close()` only.
 *
 * @module
 */

import { F_GETFD } from './constants.js';
import { errnoValue } from './errno.js';
import { syscallError } from './explain.js';
import * as libc from './libc.js';
import { type PipeHandle, pipeBinding } from './pipe-wrap.js';

const EINTR = errnoValue('EINTR');

/** The handles that own fds of this thread, by fd. */
const owners = new Map<number, PipeHandle>();

/**
 * Hands `fd` to a libuv handle of this thread's loop; see the module comment. Returns whether
 * it did (not without the binding, nor for fds 0..2, which libuv never closes).
 */
export function ownFd(fd: number): boolean {
  const pipe = pipeBinding();
  if (pipe === null || fd <= 2) return false;
  const handle = new pipe.Pipe(pipe.constants.SOCKET);
  // uv_pipe_open only records the fd (and sets O_NONBLOCK, which every fd here has already).
  if (handle.open(fd) !== 0) return false;
  handle.unref();
  owners.set(fd, handle);
  return true;
}

/** Whether `fd` is owned by a handle of this thread. @internal */
export function isOwned(fd: number): boolean {
  return owners.has(fd);
}

/**
 * Closes `fd`: through its handle when one owns it (libuv closes the fd at once), else with
 * close(2). On Linux the fd is released even when close(2) reports EINTR, so EINTR is not
 * retried and is not an error.
 *
 * @throws {InotifyError} `EBADF` when `fd` is not open, `EIO`.
 */
export function closeFd(fd: number): void {
  const handle = owners.get(fd);
  if (handle !== undefined) {
    owners.delete(fd);
    // libuv ignores close(2)'s result: check first that the fd is open, so that a close of an
    // fd closed behind our back still says EBADF.
    if (libc.fcntl(fd, F_GETFD, 'int', 0) < 0) {
      const e = libc.errno();
      handle.close();
      throw syscallError('close', e, { fd });
    }
    handle.close();
    return;
  }
  if (libc.close(fd) < 0) {
    const e = libc.errno();
    if (e !== EINTR) throw syscallError('close', e, { fd });
  }
}
