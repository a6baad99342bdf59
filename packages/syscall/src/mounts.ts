/**
 * Noticing changes of the mount table. `/proc/self/mountinfo` reports a change of the calling
 * process's mount namespace (a mount or an unmount anywhere in it) to `poll(2)` as
 * `POLLPRI | POLLERR`, once per change: each poll that reports it also marks it seen (the
 * kernel compares the namespace's event counter with the one the open file last saw). A
 * recursive tree uses it to learn that a directory it watches was covered or uncovered by a
 * mount, which inotify itself reports only for unmounts (`IN_UNMOUNT`), never for mounts.
 *
 * @module
 */

import { openSync } from 'node:fs';
import { POLLERR, POLLNVAL, POLLPRI } from './constants.js';
import { errnoValue } from './errno.js';
import { syscallError } from './explain.js';
import * as libc from './libc.js';
import { validateFd } from './validate.js';

const EINTR = errnoValue('EINTR');
const EBADF = errnoValue('EBADF');

/** The mount table this process sees. */
export const MOUNT_TABLE_PATH = '/proc/self/mountinfo';

/**
 * Opens {@link MOUNT_TABLE_PATH} for {@link mountTableChanged} (close it with `close()`).
 * Changes made before the call are not reported.
 *
 * @throws {InotifyError} as Node's `fs.openSync` does (`ENOENT` without /proc, `EMFILE`), with
 * `syscall` `'open'` and the path.
 */
export function openMountTable(): number {
  return openSync(MOUNT_TABLE_PATH, 'r');
}

const fds = new Int32Array(2);
const events = new Int16Array(fds.buffer);

/**
 * Whether the mount table changed since the last call for `fd` (or since it was opened):
 * `poll(2)` with no wait. `true` once per batch of changes.
 *
 * @throws {InotifyError} `EBADF` (syscall `'poll'`) when `fd` is not open.
 */
export function mountTableChanged(fd: number): boolean {
  validateFd(fd);
  for (;;) {
    fds[0] = fd;
    events[2] = POLLPRI;
    events[3] = 0;
    const n = libc.poll(fds, 1, 0);
    if (n < 0) {
      const e = libc.errno();
      if (e === EINTR) continue;
      throw syscallError('poll', e, { fd });
    }
    if (n === 0) return false;
    const revents = events[3]!;
    if ((revents & POLLNVAL) !== 0) throw syscallError('poll', EBADF, { fd });
    return (revents & (POLLPRI | POLLERR)) !== 0;
  }
}
