/**
 * errno numbers to names and plain descriptions.
 *
 * Names come from Node's `os.constants.errno`, so they are right for the architecture the
 * process runs on (errno numbers differ on MIPS, for example). The descriptions cover every
 * errno the syscalls in this package are documented to return.
 *
 * @module
 */

import { constants } from 'node:os';

const names = new Map<number, string>();
for (const [name, value] of Object.entries(constants.errno)) {
  // Keep the first name for values with aliases (EAGAIN before EWOULDBLOCK).
  if (!names.has(value)) names.set(value, name);
}

/**
 * Plain-words meaning of each errno these syscalls return, keyed by name. The syscall-specific
 * explanation (what to do about it) is built in `explain.ts`.
 */
export const ERRNO_DESCRIPTIONS: Readonly<Record<string, string>> = Object.freeze({
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  EINTR: 'interrupted by a signal',
  EIO: 'input/output error',
  EBADF: 'bad file descriptor',
  EAGAIN: 'resource temporarily unavailable',
  ENOMEM: 'out of kernel memory',
  EACCES: 'permission denied',
  EFAULT: 'bad address',
  EEXIST: 'already exists',
  ENOTDIR: 'not a directory',
  EINVAL: 'invalid argument',
  ENFILE: 'too many open files in the system',
  EMFILE: 'too many open files',
  ENOTTY: 'inappropriate ioctl for device',
  ENOSPC: 'no space left (for inotify: watch limit reached)',
  ENAMETOOLONG: 'file name too long',
  ENOSYS: 'function not implemented',
  ELOOP: 'too many levels of symbolic links',
  EOVERFLOW: 'value too large',
  ESTALE: 'stale file handle',
  EXDEV: 'invalid cross-device link',
});

/**
 * The symbolic name of an errno value (`2` -> `'ENOENT'`), or `'UNKNOWN'` for a value this
 * platform does not define.
 */
export function errnoName(errno: number): string {
  return names.get(errno) ?? 'UNKNOWN';
}

/** The errno value of a symbolic name (`'ENOENT'` -> `2`) on this platform. @internal */
export function errnoValue(name: keyof typeof constants.errno): number {
  return constants.errno[name];
}
