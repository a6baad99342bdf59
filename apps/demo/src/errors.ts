/**
 * Errors as the user sees them: one line, `inotify-demo: <path>: <cause>. <fix>`, no stack trace.
 */
import { effectiveLimit, type NamedLimit, TreeWatchLimitError } from '@inotify-ts/inotify';

/** The program's name, as it prefixes every message. */
export const PROGRAM = 'inotify-demo';

/** A mistake in how the program was called (a bad option value, a path it cannot use): exit code 1. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

interface SystemErrorLike {
  readonly code: string;
  readonly path?: unknown;
  readonly syscall?: unknown;
  readonly message: string;
}

function isSystemError(error: unknown): error is SystemErrorLike {
  if (!(error instanceof Error)) return false;
  const code: unknown = (error as Error & { code?: unknown }).code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code);
}

/** `(fs.inotify.max_user_watches = 8,192)`, or `''` when the value is unknown. */
function current(limit: NamedLimit): string {
  return limit.value === undefined ? '' : ` (${limit.sysctl} = ${limit.value.toLocaleString('en-US')})`;
}

/** How many watches a tree needed, where the error says so (`TreeWatchLimitError.needed`). */
function watchesNeeded(error: unknown): number | undefined {
  return error instanceof TreeWatchLimitError ? error.needed : undefined;
}

/** The cause and the fix for the error codes a watcher meets; `undefined` for the others. */
function explain(code: string, error: unknown): string | undefined {
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory. Check the path, or create it before watching it';
    case 'ENOTDIR':
      return 'a component of the path is not a directory. Check the path';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied. Run as a user who may read it, or watch a path you own';
    case 'ENOSPC': {
      const limit = effectiveLimit('watches');
      const needed = watchesNeeded(error);
      const need = needed === undefined ? '' : `: the tree needs ${needed.toLocaleString('en-US')} watches`;
      const next = Math.max(524288, (limit.value ?? 0) * 2, (needed ?? 0) * 2);
      return `the inotify watch limit${current(limit)} is reached${need}. Raise it: sudo sysctl ${limit.sysctl}=${next}`;
    }
    case 'EMFILE': {
      const limit = effectiveLimit('instances');
      const next = Math.max(1024, (limit.value ?? 0) * 2);
      return (
        `too many inotify instances${current(limit)}, or too many open files. Close other watchers, or raise it: ` +
        `sudo sysctl ${limit.sysctl}=${next}`
      );
    }
    case 'ENAMETOOLONG':
      return 'the path is too long. Watch a shorter path';
    case 'ELOOP':
      return 'too many levels of symbolic links. Check the path';
    default:
      return undefined;
  }
}

/** The first line of a message, without a trailing period: the line gets its own punctuation. */
function firstLine(message: string): string {
  const line = message.split('\n', 1)[0] ?? '';
  return line.replace(/\.\s*$/, '');
}

/**
 * The part of an error message after the program's name: `<path>: <cause>. <fix>.`, the path
 * left out where the error has none. No newline.
 *
 * @param error - what was thrown: an `InotifyError`, a Node system error, a {@link UsageError}, or anything.
 */
export function describeCause(error: unknown): string {
  if (isSystemError(error)) {
    const where = typeof error.path === 'string' && error.path !== '' ? `${error.path}: ` : '';
    const cause = explain(error.code, error) ?? `${firstLine(error.message)} (${error.code})`;
    return `${where}${cause}.`;
  }
  if (error instanceof Error) return `${firstLine(error.message)}.`;
  return `${firstLine(String(error))}.`;
}

/**
 * Turns anything thrown into the one line the program prints: `inotify-demo: <path>: <cause>. <fix>`.
 *
 * @param error - what was thrown.
 * @param program - the command's name (`inotify-demo-wait`, …).
 */
export function describeError(error: unknown, program: string = PROGRAM): string {
  return `${program}: ${describeCause(error)}`;
}

/**
 * A warning about one directory a tree could not watch or list, in the facade's own words
 * (which say what the tree does about it), without the leading error code.
 *
 * @param error - the error a tree reported through `onError`.
 */
export function describeWarning(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `${firstLine(message).replace(/^E[A-Z0-9]+: /, '')}.`;
}
