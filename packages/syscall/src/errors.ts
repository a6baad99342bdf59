/**
 * Error types: {@link InotifyError} for failed syscalls, Node-style `TypeError` / `RangeError`
 * (with `code`) for arguments rejected before any syscall is made.
 *
 * @module
 */

import { errnoName } from './errno.js';

/** What an {@link InotifyError} is built from. */
export interface InotifyErrorOptions {
  /** The positive errno value (as in `os.constants.errno`); 0 when no syscall set one. */
  readonly errno: number;
  /** The symbolic code; defaults to the name of `errno`. */
  readonly code?: string | undefined;
  /** The syscall that failed, as named in its man page (`'inotify_add_watch'`). */
  readonly syscall: string;
  /** The path involved, if any. */
  readonly path?: string | undefined;
  /** The file descriptor involved, if any. */
  readonly fd?: number | undefined;
  /** The full message: what failed, why, and what to do. */
  readonly message: string;
  /** The error that caused this one, if any. */
  readonly cause?: unknown;
}

/**
 * A failed syscall, shaped like Node's own system errors: `code` (`'ENOSPC'`), `errno`,
 * `syscall` and `path`. The message names what failed and says what to do about it.
 *
 * `errno` is the positive kernel value, equal to `os.constants.errno[code]`. (Node's `fs`
 * errors carry the negated libuv value; compare `code` to be independent of either.)
 *
 * @example
 * ```ts
 * try { addWatch(fd, '/nope', IN_CREATE); }
 * catch (e) { if (e instanceof InotifyError && e.code === 'ENOENT') { … } }
 * ```
 */
export class InotifyError extends Error {
  /** The symbolic errno name, e.g. `'ENOENT'`. */
  readonly code: string;
  /** The positive errno value, e.g. `2` for ENOENT. */
  readonly errno: number;
  /** The syscall that failed, e.g. `'inotify_add_watch'`. */
  readonly syscall: string;
  /** The path the syscall was given, when there was one (raw bytes decoded as UTF-8). */
  readonly path?: string;
  /** The file descriptor the syscall was given, when there was one. */
  readonly fd?: number;

  constructor(options: InotifyErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'InotifyError';
    this.errno = options.errno;
    this.code = options.code ?? errnoName(options.errno);
    this.syscall = options.syscall;
    if (options.path !== undefined) this.path = options.path;
    if (options.fd !== undefined) this.fd = options.fd;
  }
}

/** A `TypeError` with a Node-style `code`, for an argument of the wrong type. */
export interface CodedTypeError extends TypeError {
  readonly code: 'ERR_INVALID_ARG_TYPE' | 'ERR_INVALID_ARG_VALUE';
}

/** A `RangeError` with a Node-style `code`, for an argument outside its valid range. */
export interface CodedRangeError extends RangeError {
  readonly code: 'ERR_OUT_OF_RANGE' | 'ERR_BUFFER_TOO_SMALL';
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return `function ${value.name || '<anonymous>'}`;
  if (typeof value === 'object') {
    const ctor = (value as object).constructor?.name;
    return ctor ? `an instance of ${ctor}` : 'an object';
  }
  let shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  if (typeof value === 'bigint') shown += 'n';
  if (shown.length > 40) shown = `${shown.slice(0, 37)}...`;
  return `type ${typeof value} (${shown})`;
}

/** `TypeError [ERR_INVALID_ARG_TYPE]: The "name" argument must be <expected>. Received <actual>` @internal */
export function invalidArgType(name: string, expected: string, actual: unknown): CodedTypeError {
  return Object.assign(
    new TypeError(`The "${name}" argument must be ${expected}. Received ${describe(actual)}`),
    {
      code: 'ERR_INVALID_ARG_TYPE' as const,
    },
  );
}

/** `TypeError [ERR_INVALID_ARG_VALUE]: The argument 'name' <reason>. Received <actual>` @internal */
export function invalidArgValue(name: string, reason: string, actual: unknown): CodedTypeError {
  return Object.assign(new TypeError(`The argument '${name}' ${reason}. Received ${describe(actual)}`), {
    code: 'ERR_INVALID_ARG_VALUE' as const,
  });
}

/** `RangeError [ERR_OUT_OF_RANGE]: The value of "name" is out of range. It must be <range>. Received <actual>` @internal */
export function outOfRange(name: string, range: string, actual: unknown): CodedRangeError {
  return Object.assign(
    new RangeError(`The value of "${name}" is out of range. It must be ${range}. Received ${String(actual)}`),
    { code: 'ERR_OUT_OF_RANGE' as const },
  );
}

/** `RangeError [ERR_BUFFER_TOO_SMALL]` with the given message. @internal */
export function bufferTooSmall(message: string): CodedRangeError {
  return Object.assign(new RangeError(message), { code: 'ERR_BUFFER_TOO_SMALL' as const });
}
