/**
 * Turns a failed syscall's errno into an {@link InotifyError} whose message says, in plain
 * words, what went wrong with which path or fd and what to do about it.
 *
 * @module
 */

import { readlinkSync } from 'node:fs';
import { release } from 'node:os';
import { ALL_INOTIFY_BITS, IN_MASK_ADD, IN_MASK_CREATE, IN_ONLYDIR } from './constants.js';
import { ERRNO_DESCRIPTIONS, errnoName } from './errno.js';
import { InotifyError } from './errors.js';
import { effectiveLimit, fdUsage, type NamedLimit } from './limits.js';

/** What the failed call was given, for the message. @internal */
export interface CallContext {
  readonly fd?: number;
  readonly path?: string;
  readonly mask?: number;
  readonly wd?: number;
}

function hex(mask: number): string {
  return `0x${(mask >>> 0).toString(16).padStart(8, '0')}`;
}

function quoted(path: string): string {
  return `'${path}'`;
}

function raise(limit: NamedLimit): string {
  const next = limit.value === undefined ? '<a higher value>' : String(Math.max(limit.value * 2, 128));
  return `sysctl ${limit.sysctl}=${next} (put it in /etc/sysctl.d/ to keep it across reboots)`;
}

function current(limit: NamedLimit): string {
  return `${limit.sysctl} = ${limit.value ?? 'unknown'}`;
}

function initReason(code: string): string {
  switch (code) {
    case 'EMFILE': {
      const usage = fdUsage();
      if (usage?.atLimit) {
        return (
          `this process has reached its open file limit (RLIMIT_NOFILE = ${usage.limit}, ${usage.open} fds open). ` +
          'Close file descriptors you no longer need, or raise the limit (ulimit -n, or LimitNOFILE= for a systemd service)'
        );
      }
      const max = effectiveLimit('instances');
      return (
        `the per-user inotify instance limit is reached (${current(max)}). ` +
        `Close inotify instances you no longer need (other programs of the same user count too), or raise the limit: ${raise(max)}`
      );
    }
    case 'ENFILE':
      return 'the system-wide limit on open files is reached (fs.file-max); close files or raise it';
    case 'ENOMEM':
      return 'the kernel is out of memory for a new inotify instance';
    case 'EINVAL':
      return 'the flags are invalid (this package always passes IN_NONBLOCK | IN_CLOEXEC; is this Linux >= 2.6.27?)';
    default:
      return ERRNO_DESCRIPTIONS[code] ?? 'unexpected error';
  }
}

/** What `fd` refers to (`'anon_inode:inotify'`, `'/etc/passwd'`), or `undefined`. */
function fdTarget(fd: number | undefined): string | undefined {
  if (fd === undefined) return undefined;
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return undefined;
  }
}

/** `"fd 7 is not an inotify instance (it is anon_inode:[eventfd])"`, or `undefined` if it is one (or cannot be told). */
function notInotify(fd: number | undefined): string | undefined {
  const target = fdTarget(fd);
  if (target === undefined || target === 'anon_inode:inotify') return undefined;
  return `fd ${fd} is not an inotify instance (it is ${target})`;
}

/** Whether the running kernel is older than major.minor. */
function kernelBefore(major: number, minor: number): boolean {
  const [a = 0, b = 0] = release()
    .split('.')
    .map((part) => Number.parseInt(part, 10));
  return a < major || (a === major && b < minor);
}

function maskProblem(mask: number): string {
  const unknown = (mask & ~ALL_INOTIFY_BITS) >>> 0;
  if (unknown !== 0) return `the mask has bits inotify does not define (${hex(unknown)})`;
  if ((mask & IN_MASK_ADD) !== 0 && (mask & IN_MASK_CREATE) !== 0) {
    return 'IN_MASK_ADD and IN_MASK_CREATE cannot be combined';
  }
  if (mask === 0) return 'the mask is 0; it needs at least one event bit (IN_ACCESS .. IN_DELETE_SELF)';
  if ((mask & IN_MASK_CREATE) !== 0 && kernelBefore(4, 18)) {
    return `IN_MASK_CREATE needs Linux 4.18 or later (this kernel is ${release()})`;
  }
  return 'the kernel rejected this combination of bits';
}

function addWatchReason(code: string, ctx: CallContext): string {
  const path = quoted(ctx.path ?? '');
  const mask = ctx.mask ?? 0;
  switch (code) {
    case 'ENOSPC': {
      const max = effectiveLimit('watches');
      return (
        `the inotify watch limit is reached (${current(max)}) while watching ${path}. ` +
        'ENOSPC from inotify_add_watch means the per-user watch limit (or a kernel resource limit), not a full disk. ' +
        `Remove watches you no longer need (other programs of the same user count too), or raise the limit: ${raise(max)}`
      );
    }
    case 'ENOENT':
      return `${path} does not exist (or a directory in it does not, or it is a dangling symbolic link); create it first or watch its parent directory`;
    case 'ENOTDIR':
      return (mask & IN_ONLYDIR) !== 0
        ? `${path} is not a directory, and IN_ONLYDIR asks for one`
        : `a component of ${path} is not a directory`;
    case 'EACCES':
      return `permission denied: watching ${path} needs read permission on it and search (x) permission on every directory above it`;
    case 'EINVAL':
      return notInotify(ctx.fd) ?? `invalid mask ${hex(mask)} for ${path}: ${maskProblem(mask)}`;
    case 'EBADF':
      return `fd ${ctx.fd} is not an open file descriptor (was the inotify instance closed?)`;
    case 'EEXIST':
      return `${path} is already watched by this inotify instance and IN_MASK_CREATE forbids changing that watch; drop IN_MASK_CREATE to update the existing watch`;
    case 'ENAMETOOLONG':
      return `${path} is too long (over PATH_MAX, or a component over NAME_MAX bytes)`;
    case 'ELOOP':
      return `too many symbolic links while resolving ${path}`;
    case 'EFAULT':
      return `the path ${path} is outside the process's address space`;
    case 'ENOMEM':
      return `the kernel is out of memory for a new watch on ${path}`;
    default:
      return `${ERRNO_DESCRIPTIONS[code] ?? 'unexpected error'} for ${path}`;
  }
}

function fdReason(syscall: string, code: string, ctx: CallContext): string {
  switch (code) {
    case 'EBADF':
      return `fd ${ctx.fd} is not an open file descriptor (was it already closed?)`;
    case 'EINVAL':
      if (syscall === 'inotify_rm_watch') {
        return (
          notInotify(ctx.fd) ??
          `wd ${ctx.wd} is not a watch of inotify instance fd ${ctx.fd} (already removed, removed by IN_ONESHOT, or its file was deleted)`
        );
      }
      if (syscall === 'read') {
        return (
          notInotify(ctx.fd) ?? `fd ${ctx.fd} rejected the read: the buffer is smaller than the next event`
        );
      }
      return `fd ${ctx.fd} does not support ${syscall} with these arguments`;
    case 'ENOTTY':
      return notInotify(ctx.fd) ?? `fd ${ctx.fd} does not support FIONREAD`;
    case 'EPERM':
      return syscall === 'epoll_ctl'
        ? `fd ${ctx.fd} cannot be waited on with epoll (regular files and directories are always "ready"); pass an inotify fd`
        : `operation not permitted on fd ${ctx.fd}`;
    case 'EIO':
      return `an I/O error occurred on fd ${ctx.fd}`;
    case 'ENOMEM':
      return 'the kernel is out of memory';
    case 'EMFILE':
      return 'this process has too many open files; close some or raise RLIMIT_NOFILE (ulimit -n)';
    case 'ENFILE':
      return 'the system-wide limit on open files is reached (fs.file-max)';
    case 'ENOSPC':
      return 'the epoll watch limit is reached (fs.epoll.max_user_watches)';
    default:
      return `${ERRNO_DESCRIPTIONS[code] ?? 'unexpected error'} on fd ${ctx.fd}`;
  }
}

/**
 * Builds the {@link InotifyError} for `syscall` failing with `errno`, its message written for
 * the user: `CODE: syscall 'path' failed: what happened; what to do`. @internal
 */
export function syscallError(syscall: string, errno: number, ctx: CallContext = {}): InotifyError {
  const code = errnoName(errno);
  let reason: string;
  if (syscall === 'inotify_init1') reason = initReason(code);
  else if (syscall === 'inotify_add_watch') reason = addWatchReason(code, ctx);
  else reason = fdReason(syscall, code, ctx);
  const target =
    ctx.path !== undefined ? ` ${quoted(ctx.path)}` : ctx.fd !== undefined ? ` (fd ${ctx.fd})` : '';
  return new InotifyError({
    errno,
    code,
    syscall,
    path: ctx.path,
    fd: ctx.fd,
    message: `${code}: ${syscall}${target} failed: ${reason}`,
  });
}
