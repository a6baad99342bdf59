/**
 * The kernel's inotify limits, read from `/proc`, and the process's open-file limit, used to
 * explain ENOSPC and EMFILE.
 *
 * @module
 */

import { readdirSync, readFileSync } from 'node:fs';
import { RLIMIT_NOFILE } from './constants.js';
import { InotifyError } from './errors.js';
import * as libc from './libc.js';

/** The per-user inotify limits of the running kernel. */
export interface InotifyLimits {
  /** `fs.inotify.max_user_watches`: watches one user may hold across all instances (ENOSPC beyond it). */
  readonly maxUserWatches: number;
  /** `fs.inotify.max_user_instances`: inotify instances one user may hold (EMFILE beyond it). */
  readonly maxUserInstances: number;
  /** `fs.inotify.max_queued_events`: events one instance queues before it drops them and queues IN_Q_OVERFLOW. */
  readonly maxQueuedEvents: number;
}

function readProcInteger(path: string): number {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (cause) {
    const e = cause as NodeJS.ErrnoException;
    throw new InotifyError({
      errno: typeof e.errno === 'number' ? -e.errno : 0,
      code: e.code,
      syscall: 'open',
      path,
      message: `${e.code ?? 'Error'}: cannot read ${path}: ${e.message} (is /proc mounted?)`,
      cause,
    });
  }
  const value = Number.parseInt(text.trim(), 10);
  if (!Number.isSafeInteger(value)) {
    throw new InotifyError({
      errno: 0,
      code: 'ERR_PROC_FORMAT',
      syscall: 'read',
      path,
      message: `ERR_PROC_FORMAT: ${path} holds ${JSON.stringify(text.trim())}, not an integer`,
    });
  }
  return value;
}

/**
 * Reads the inotify limits from `/proc/sys/fs/inotify`. They are per user, shared by every
 * process of that user; this package never changes them.
 *
 * Inside a user namespace, `/proc/sys/user/max_inotify_watches` and `max_inotify_instances`
 * may set lower limits for that namespace; the error messages of this package mention them
 * when they are the ones reached.
 *
 * @throws {InotifyError} when `/proc` cannot be read.
 */
export function limits(): InotifyLimits {
  return {
    maxUserWatches: readProcInteger('/proc/sys/fs/inotify/max_user_watches'),
    maxUserInstances: readProcInteger('/proc/sys/fs/inotify/max_user_instances'),
    maxQueuedEvents: readProcInteger('/proc/sys/fs/inotify/max_queued_events'),
  };
}

/** An inotify limit as a message should name it: its sysctl name and value. */
export interface NamedLimit {
  /** `fs.inotify.max_user_watches`, or `user.max_inotify_watches` when a user namespace's own limit is lower. */
  readonly sysctl: string;
  /** Its value, or `undefined` when /proc cannot tell. */
  readonly value: number | undefined;
}

function tryRead(path: string): number | undefined {
  try {
    return readProcInteger(path);
  } catch {
    return undefined;
  }
}

/**
 * The watch or instance limit that binds this process: `fs.inotify.max_user_*`, or the current
 * user namespace's `user.max_inotify_*` when that is lower. This is the one to raise. Never
 * throws: a value `/proc` cannot tell is `undefined`.
 *
 * @example
 * effectiveLimit('watches'); // { sysctl: 'fs.inotify.max_user_watches', value: 8192 }
 */
export function effectiveLimit(kind: 'watches' | 'instances'): NamedLimit {
  const global = tryRead(`/proc/sys/fs/inotify/max_user_${kind}`);
  const namespaced = tryRead(`/proc/sys/user/max_inotify_${kind}`);
  if (namespaced !== undefined && (global === undefined || namespaced < global)) {
    return { sysctl: `user.max_inotify_${kind}`, value: namespaced };
  }
  return { sysctl: `fs.inotify.max_user_${kind}`, value: global };
}

/** `getrlimit(RLIMIT_NOFILE)`'s soft limit (`Infinity` for RLIM_INFINITY), or `undefined`. @internal */
export function openFileLimit(): number | undefined {
  // struct rlimit { rlim_t rlim_cur, rlim_max; }, rlim_t being unsigned long.
  const wide = process.arch !== 'arm' && process.arch !== 'ia32';
  const rlim = wide ? new BigUint64Array(2) : new Uint32Array(2);
  if (libc.getrlimit(RLIMIT_NOFILE, rlim) < 0) return undefined;
  const soft = rlim[0]!;
  const infinity = wide ? 0xffffffffffffffffn : 0xffffffff;
  return soft === infinity ? Number.POSITIVE_INFINITY : Number(soft);
}

/**
 * Whether this process has as many fds open as `RLIMIT_NOFILE` allows, with the numbers, or
 * `undefined` when that cannot be told. Tells apart the two EMFILE causes of
 * `inotify_init1`. @internal
 */
export function fdUsage(): { open: number; limit: number; atLimit: boolean } | undefined {
  const limit = openFileLimit();
  if (limit === undefined) return undefined;
  try {
    // readdir holds one fd of its own while it lists the directory.
    const open = readdirSync('/proc/self/fd').length - 1;
    return { open, limit, atLimit: open >= limit };
  } catch (error) {
    // No fd left to even list them with: the limit is what was reached.
    if ((error as NodeJS.ErrnoException).code === 'EMFILE') return { open: limit, limit, atLimit: true };
    return undefined;
  }
}
