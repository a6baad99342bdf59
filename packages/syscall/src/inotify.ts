/**
 * The inotify syscalls: `inotify_init1`, `inotify_add_watch`, `inotify_rm_watch`, `read` and
 * `ioctl(FIONREAD)`. One function per syscall, errno passed through as {@link InotifyError}.
 *
 * @module
 */

import { FIONREAD, IN_CLOEXEC, IN_NONBLOCK, MIN_READ_BUFFER_SIZE } from './constants.js';
import { errnoValue } from './errno.js';
import { bufferTooSmall } from './errors.js';
import { syscallError } from './explain.js';
import * as libc from './libc.js';
import { ownFd } from './owner.js';
import { toNativePath, validateFd, validateMask, validateUint8Array, validateWd } from './validate.js';

const EAGAIN = errnoValue('EAGAIN');
const EINTR = errnoValue('EINTR');

/**
 * Creates an inotify instance: `inotify_init1(IN_NONBLOCK | IN_CLOEXEC)`, always. Non-blocking,
 * so {@link read} returns 0 instead of blocking when nothing is queued; close-on-exec, so
 * child processes do not inherit it.
 *
 * The calling thread's event loop owns the fd: it is closed when the thread ends, even a worker
 * ended by `terminate()` (see owner.ts).
 *
 * @returns the instance's file descriptor. Close it with {@link close}, in the same thread.
 * @throws {InotifyError} `EMFILE` when the per-user instance limit
 *   (`fs.inotify.max_user_instances`) or the process's open file limit (`RLIMIT_NOFILE`) is
 *   reached (the message says which), `ENFILE`, `ENOMEM`.
 */
export function init(): number {
  const fd = libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) throw syscallError('inotify_init1', libc.errno());
  ownFd(fd);
  return fd;
}

/**
 * Adds a watch for `path` to instance `fd`, or modifies the existing watch of the same inode
 * (the kernel keys watches by inode, so two paths to one file share one wd).
 *
 * Kernel behaviour worth knowing:
 * - Without `IN_MASK_ADD` the new mask *replaces* the existing watch's mask.
 * - `IN_MASK_CREATE` (Linux 4.18+; older kernels ignore or reject it) fails with `EEXIST` if
 *   the inode is already watched; it cannot be combined with `IN_MASK_ADD` (`EINVAL`).
 * - `ENOSPC` means the per-user watch limit `fs.inotify.max_user_watches`, not a full disk.
 * - Symbolic links are followed unless the mask has `IN_DONT_FOLLOW`.
 *
 * @param fd an inotify instance from {@link init}.
 * @param path a path string (sent as UTF-8), or the raw bytes of a path for names that are not
 *   valid UTF-8 (no terminating NUL needed; one is appended). Must not contain a NUL byte.
 * @param mask the events to watch plus flags; a uint32, or the negative int32 that `|` with
 *   `IN_ONESHOT` produces.
 * @returns the watch descriptor (wd), which events for this watch carry.
 * @throws {TypeError} `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for a wrong argument type or a NUL in the path.
 * @throws {RangeError} `ERR_OUT_OF_RANGE` for a fd or mask out of range.
 * @throws {InotifyError} `ENOENT`, `ENOTDIR`, `EACCES`, `EINVAL` (no event bits, or
 *   `IN_MASK_ADD | IN_MASK_CREATE`), `EEXIST`, `ENOSPC`, `EBADF`, `ENAMETOOLONG`, `ELOOP`, `ENOMEM`.
 */
export function addWatch(fd: number, path: string | Uint8Array, mask: number): number {
  validateFd(fd);
  const bits = validateMask(mask);
  // A string goes to koffi as it is: no wrapper object per call (a tree arms thousands).
  let native: string | Uint8Array = path;
  let display = path as string;
  if (typeof path !== 'string' || path.includes('\0')) ({ native, display } = toNativePath(path));
  const wd = libc.inotify_add_watch(fd, native, bits);
  if (wd < 0) throw syscallError('inotify_add_watch', libc.errno(), { fd, path: display, mask: bits });
  return wd;
}

/**
 * Removes watch `wd` from instance `fd`. The kernel then queues an `IN_IGNORED` event for it;
 * events already queued for `wd` stay in the queue.
 *
 * @throws {InotifyError} `EINVAL` when `wd` is not a watch of `fd` (already removed, removed
 *   by `IN_ONESHOT`, or its inode was deleted: the `IN_IGNORED` event says so), `EBADF`.
 */
export function rmWatch(fd: number, wd: number): void {
  validateFd(fd);
  validateWd(wd);
  if (libc.inotify_rm_watch(fd, wd) < 0) throw syscallError('inotify_rm_watch', libc.errno(), { fd, wd });
}

/**
 * Reads queued events from instance `fd` into `into`, without copying: the kernel writes
 * straight into `into`'s memory at its `byteOffset` (a view on a `WebAssembly.Memory` works).
 *
 * The kernel only returns whole events: several `struct inotify_event` records (16-byte
 * header, then `len` bytes of NUL-padded name), as many as fit.
 *
 * @param into the destination; at least {@link MIN_READ_BUFFER_SIZE} (272) bytes, the size of
 *   the largest possible single event. With a smaller buffer the kernel fails with `EINVAL`
 *   whenever the next event does not fit, so a smaller buffer is refused up front.
 * @returns the number of bytes read; `0` when no event is queued (the fd is non-blocking).
 * @throws {RangeError} `ERR_BUFFER_TOO_SMALL` when `into` is shorter than 272 bytes (a view on
 *   WebAssembly memory is detached, length 0, after the memory grows).
 * @throws {InotifyError} `EBADF`, `EINVAL`, `EFAULT`.
 */
export function read(fd: number, into: Uint8Array): number {
  validateFd(fd);
  validateUint8Array(into, 'into');
  if (into.byteLength < MIN_READ_BUFFER_SIZE) {
    throw bufferTooSmall(
      `The read buffer has ${into.byteLength} bytes; it must have at least ${MIN_READ_BUFFER_SIZE} ` +
        '(sizeof(struct inotify_event) + NAME_MAX + 1), or the kernel fails the read with EINVAL when the next ' +
        'event has a long name' +
        (into.byteLength === 0 ? ' (a view on WebAssembly memory is detached when the memory grows)' : ''),
    );
  }
  for (;;) {
    const n = libc.read(fd, into, into.byteLength);
    if (n >= 0) return n;
    const e = libc.errno();
    if (e === EAGAIN) return 0;
    if (e !== EINTR) throw syscallError('read', e, { fd });
  }
}

const fionread = new Int32Array(1);

/**
 * How many bytes of events instance `fd` holds right now: `ioctl(fd, FIONREAD)`. A read buffer
 * of this size takes them all (events queued after the call may not fit).
 *
 * @throws {InotifyError} `EBADF`, `ENOTTY`/`EINVAL` when `fd` is not an inotify instance.
 */
export function pendingBytes(fd: number): number {
  validateFd(fd);
  if (libc.ioctl(fd, FIONREAD, 'int *', fionread) < 0) throw syscallError('ioctl', libc.errno(), { fd });
  return fionread[0]!;
}
