import { constants } from 'node:os';
import { IN_ALL_EVENTS, IN_MASK_ADD, IN_MASK_CREATE, maskNames, WATCH_BITS } from '@inotify-ts/decoder';
import { type InotifyError, usageError } from './errors.js';

function maskError(path: string, mask: number, why: string): InotifyError {
  return usageError(
    'EINVAL',
    constants.errno.EINVAL,
    'inotify_add_watch',
    `invalid watch mask ${mask} for ${JSON.stringify(path)}: ${why}`,
    path,
  );
}

/**
 * Checks a watch mask before the syscall, so the error says what is wrong rather than the
 * kernel's bare EINVAL. Returns the mask as an unsigned 32-bit number.
 */
export function checkWatchMask(path: string, mask: number): number {
  if (typeof mask !== 'number' || !Number.isInteger(mask) || mask < -0x80000000 || mask > 0xffffffff) {
    throw maskError(path, mask, 'it must be an integer made of IN_* bits (an unsigned 32-bit number)');
  }
  const bits = mask >>> 0;
  const unknown = (bits & ~WATCH_BITS) >>> 0;
  if (unknown !== 0) {
    const named = maskNames(unknown);
    throw maskError(
      path,
      bits,
      named.length > 0
        ? `${named.join(', ')} ${named.length > 1 ? 'are' : 'is'} only ever set by the kernel in events, not requested in a watch`
        : `bits 0x${unknown.toString(16)} are not inotify bits`,
    );
  }
  if ((bits & IN_ALL_EVENTS) === 0) {
    throw maskError(
      path,
      bits,
      'it has no event bits; add at least one of IN_ACCESS .. IN_DELETE_SELF (or IN_ALL_EVENTS)',
    );
  }
  if ((bits & IN_MASK_ADD) !== 0 && (bits & IN_MASK_CREATE) !== 0) {
    throw maskError(
      path,
      bits,
      'IN_MASK_ADD (merge into an existing watch) and IN_MASK_CREATE (fail if one exists) exclude each other',
    );
  }
  return bits;
}
