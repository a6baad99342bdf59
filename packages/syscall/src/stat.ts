/**
 * The link count of a directory, for recursive walks that skip listing directories with no
 * subdirectory: `statx(2)` into one reused buffer, so that a walk of 10,000 directories builds no
 * `fs.Stats` object per directory (each is about 1 KiB of garbage).
 *
 * ```
 * struct statx (256 bytes), the fields read here:
 * 0        4          8              16        20 ...  128          136          140
 * | mask   | blksize  | attributes   | nlink   | ...   | rdev maj/min | dev_major  | dev_minor | ...
 * ```
 *
 * @module
 */

import { lstatSync } from 'node:fs';
import { AT_FDCWD, AT_STATX_DONT_SYNC, AT_SYMLINK_NOFOLLOW, STATX_NLINK } from './constants.js';
import { errnoValue } from './errno.js';
import { invalidArgType, invalidArgValue } from './errors.js';
import { syscallError } from './explain.js';
import * as libc from './libc.js';

const STATX_SIZE = 256;
const NLINK_OFFSET = 16;
const DEV_MAJOR_OFFSET = 136;
const DEV_MINOR_OFFSET = 140;

const ENOENT = errnoValue('ENOENT');
const ENOTDIR = errnoValue('ENOTDIR');
const ENOSYS = errnoValue('ENOSYS');
const EPERM = errnoValue('EPERM');

const buffer = new Uint32Array(STATX_SIZE / 4);
/** Whether statx works here; false after it turned out missing (old C library or kernel, seccomp). */
let useStatx = libc.statx !== null;

/**
 * Reads the link count and the device of `path`, not following a final symbolic link, into
 * `out`: `out[0]` the link count (0 when the filesystem does not say), `out[1]` and `out[2]` a
 * device id (equal pairs: the same filesystem). Allocates nothing (`statx(2)` into a reused
 * buffer; `lstat` where the C library or the kernel has no statx).
 *
 * @returns `true`, or `false` when `path` does not exist (`ENOENT`, `ENOTDIR`).
 * @throws {TypeError} `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for a path that is not a
 *   string without NUL, or an `out` shorter than 3.
 * @throws {InotifyError} any other failure (`EACCES` on a directory on the way, `ELOOP`,
 *   `ENAMETOOLONG`), with `syscall: 'statx'`.
 */
export function lstatLinks(path: string, out: Uint32Array): boolean {
  if (typeof path !== 'string') throw invalidArgType('path', 'of type string', path);
  if (path.includes('\0')) throw invalidArgValue('path', 'must be a string without null bytes', path);
  if (!(out instanceof Uint32Array) || out.length < 3) {
    throw invalidArgType('out', 'a Uint32Array of at least 3 elements', out);
  }
  if (useStatx) {
    const flags = AT_SYMLINK_NOFOLLOW | AT_STATX_DONT_SYNC;
    if (libc.statx!(AT_FDCWD, path, flags, STATX_NLINK, buffer) === 0) {
      out[0] = (buffer[0]! & STATX_NLINK) !== 0 ? buffer[NLINK_OFFSET / 4]! : 0;
      out[1] = buffer[DEV_MAJOR_OFFSET / 4]!;
      out[2] = buffer[DEV_MINOR_OFFSET / 4]!;
      return true;
    }
    const e = libc.errno();
    if (e === ENOENT || e === ENOTDIR) return false;
    // A kernel before 4.11, or a seccomp filter that refuses statx: lstat from now on.
    if (e !== ENOSYS && e !== EPERM) throw syscallError('statx', e, { path });
    useStatx = false;
  }
  const stats = lstatSync(path, { throwIfNoEntry: false });
  if (stats === undefined) return false;
  out[0] = stats.nlink;
  out[1] = Math.floor(stats.dev / 2 ** 32);
  out[2] = stats.dev >>> 0;
  return true;
}
