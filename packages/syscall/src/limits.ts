/**
 * The kernel's inotify limits, read from `/proc/sys/fs/inotify`, and the process's open-file
 * limit, used to explain EMFILE.
 *
 * @module
 */

import { readdirSync, readFileSync } from 'node:fs';
import { InotifyError } from './errors.js';

/** The per-user inotify limits of the running kernel. */
export interface InotifyLimits {
  /** `fs.inotify.max_user_watches`: watches one user may hold across all instances (ENOSPC beyond it). */
  readonly maxUserWatches: number;
  /** `fs.inotify.max_user_instances`: inotify instances one user may hold (EMFILE beyond it). */
  readonly maxUserInstances: number;
  /** `fs.inotify.max_queued_events`: events one instance queues before it drops them and queues IN_Q_OVERFLOW. */
  readonly maxQueuedEvents: number;
}

const PROC_INOTIFY = '/proc/sys/fs/inotify/';

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
      message: `cannot read ${path} (${e.code ?? e.message}); is /proc mounted?`,
    });
  }
  const value = Number.parseInt(text.trim(), 10);
  if (!Number.isSafeInteger(value)) {
    throw new InotifyError({
      errno: 0,
      code: 'EINVAL',
      syscall: 'read',
      path,
      message: `${path} holds ${JSON.stringify(text.trim())}, not an integer`,
    });
  }
  return value;
}

/**
 * Reads the inotify limits from `/proc/sys/fs/inotify`. They are per user (per user namespace),
 * shared by every process of that user; this package never changes them.
 *
 * @throws {InotifyError} when `/proc` cannot be read.
 */
export function limits(): InotifyLimits {
  return {
    maxUserWatches: readProcInteger(`${PROC_INOTIFY}max_user_watches`),
    maxUserInstances: readProcInteger(`${PROC_INOTIFY}max_user_instances`),
    maxQueuedEvents: readProcInteger(`${PROC_INOTIFY}max_queued_events`),
  };
}

/** One inotify limit for an error message, or `undefined` when /proc cannot tell. @internal */
export function tryReadLimit(
  name: 'max_user_watches' | 'max_user_instances' | 'max_queued_events',
): number | undefined {
  try {
    return readProcInteger(PROC_INOTIFY + name);
  } catch {
    return undefined;
  }
}

/**
 * How many fds this process has open and its `RLIMIT_NOFILE` soft limit, or `undefined` when
 * /proc cannot tell. Used to tell the two EMFILE causes of `inotify_init1` apart. @internal
 */
export function fdUsage(): { open: number; limit: number } | undefined {
  try {
    // readdir holds one fd of its own while it lists the directory.
    const open = readdirSync('/proc/self/fd').length - 1;
    const line = readFileSync('/proc/self/limits', 'latin1')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
    const limit = soft === 'unlimited' ? Number.POSITIVE_INFINITY : Number(soft);
    return Number.isNaN(limit) ? undefined : { open, limit };
  } catch {
    return undefined;
  }
}
