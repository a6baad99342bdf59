/**
 * Argument checks made in JavaScript before a syscall, where the kernel's answer would be
 * cryptic (EBADF for `fd = '3'`, a silently truncated path for a string with a NUL, a mask
 * silently wrapped by the FFI).
 *
 * @module
 */

import { invalidArgType, invalidArgValue, outOfRange } from './errors.js';

const INT32_MAX = 0x7fffffff;

/** Checks that `fd` is an integer file descriptor (0 .. 2^31-1). @internal */
export function validateFd(fd: unknown, name = 'fd'): asserts fd is number {
  if (typeof fd !== 'number') throw invalidArgType(name, 'of type number', fd);
  if (!Number.isInteger(fd) || fd < 0 || fd > INT32_MAX) {
    throw outOfRange(name, `an integer >= 0 and <= ${INT32_MAX}`, fd);
  }
}

/** Checks that `wd` is an integer watch descriptor (int32). @internal */
export function validateWd(wd: unknown): asserts wd is number {
  if (typeof wd !== 'number') throw invalidArgType('wd', 'of type number', wd);
  if (!Number.isInteger(wd) || wd < -0x80000000 || wd > INT32_MAX) {
    throw outOfRange('wd', `an integer >= -2147483648 and <= ${INT32_MAX}`, wd);
  }
}

/**
 * Checks a 32-bit mask and returns it as an unsigned number. Both the unsigned form and the
 * signed int32 that JavaScript's `|` produces (`IN_ONESHOT | IN_CREATE` is negative) are accepted.
 * @internal
 */
export function validateMask(mask: unknown): number {
  if (typeof mask !== 'number') throw invalidArgType('mask', 'of type number', mask);
  if (!Number.isInteger(mask) || mask < -0x80000000 || mask > 0xffffffff) {
    throw outOfRange('mask', 'a 32-bit integer (>= -2147483648 and <= 4294967295)', mask);
  }
  return mask >>> 0;
}

/** A path ready for the FFI: the string as given, or the bytes with a NUL appended. @internal */
export interface NativePath {
  /** What koffi passes as `const char *`. */
  readonly native: string | Uint8Array;
  /** The path for messages (bytes decoded as UTF-8, invalid sequences as U+FFFD). */
  readonly display: string;
}

/** Checks a path (string or raw bytes) and makes it NUL-terminated for the kernel. @internal */
export function toNativePath(path: unknown): NativePath {
  if (typeof path === 'string') {
    if (path.includes('\0')) {
      throw invalidArgValue('path', 'must be a string or Uint8Array without null bytes', path);
    }
    return { native: path, display: path };
  }
  if (path instanceof Uint8Array) {
    if (path.includes(0)) {
      throw invalidArgValue('path', 'must be a string or Uint8Array without null bytes', path);
    }
    const bytes = new Uint8Array(path.length + 1);
    bytes.set(path);
    return {
      native: bytes,
      display: Buffer.from(path.buffer, path.byteOffset, path.byteLength).toString('utf8'),
    };
  }
  throw invalidArgType('path', 'of type string or an instance of Uint8Array', path);
}

/**
 * Checks a timeout in milliseconds and returns it as poll(2) wants it: a non-negative int32,
 * or -1 for "no timeout" (`Infinity` or any negative number). Fractions round up so that a
 * 0.5 ms timeout does not become a non-blocking check.
 * @internal
 */
export function toPollTimeout(timeoutMs: unknown, name = 'timeoutMs'): number {
  if (typeof timeoutMs !== 'number') throw invalidArgType(name, 'of type number', timeoutMs);
  if (Number.isNaN(timeoutMs))
    throw outOfRange(name, 'a number of milliseconds (negative or Infinity: none)', timeoutMs);
  if (timeoutMs < 0 || timeoutMs === Number.POSITIVE_INFINITY) return -1;
  return Math.min(Math.ceil(timeoutMs), INT32_MAX);
}

/** Checks that `value` is a Uint8Array. @internal */
export function validateUint8Array(value: unknown, name: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw invalidArgType(name, 'an instance of Uint8Array', value);
}
