/**
 * Errors as the user sees them: one line, `inotify-demo: <path>: <cause>. <fix>`, no stack trace.
 */
import { readFileSync } from 'node:fs';

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

/** Reads one of the inotify limits from /proc, or `undefined` where /proc cannot tell. */
function inotifyLimit(name: 'max_user_watches' | 'max_user_instances'): number | undefined {
  try {
    const value = Number.parseInt(readFileSync(`/proc/sys/fs/inotify/${name}`, 'latin1').trim(), 10);
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The cause and the fix for the error codes a watcher meets; `undefined` for the others. */
function explain(code: string): string | undefined {
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory. Check the path, or create it before watching it';
    case 'ENOTDIR':
      return 'a component of the path is not a directory. Check the path';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied. Run as a user who may read it, or watch a path you own';
    case 'ENOSPC': {
      const limit = inotifyLimit('max_user_watches');
      const now =
        limit === undefined ? '' : ` (fs.inotify.max_user_watches = ${limit.toLocaleString('en-US')})`;
      const next = limit === undefined ? 524288 : Math.max(524288, limit * 2);
      return `the inotify watch limit${now} is reached. Raise it: sudo sysctl fs.inotify.max_user_watches=${next}`;
    }
    case 'EMFILE': {
      const limit = inotifyLimit('max_user_instances');
      const now = limit === undefined ? '' : ` (fs.inotify.max_user_instances = ${limit})`;
      const next = limit === undefined ? 1024 : Math.max(1024, limit * 2);
      return `too many inotify instances${now}. Close other watchers, or raise it: sudo sysctl fs.inotify.max_user_instances=${next}`;
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
 * Turns anything thrown into the one line the program prints: `inotify-demo: <path>: <cause>. <fix>`.
 * The path is left out where the error has none. The result carries no newline.
 *
 * @param error - what was thrown: an `InotifyError`, a Node system error, a {@link UsageError}, or anything.
 */
export function describeError(error: unknown): string {
  if (isSystemError(error)) {
    const where = typeof error.path === 'string' && error.path !== '' ? `${error.path}: ` : '';
    const cause = explain(error.code) ?? `${firstLine(error.message)} (${error.code})`;
    return `${PROGRAM}: ${where}${cause}.`;
  }
  if (error instanceof Error) return `${PROGRAM}: ${firstLine(error.message)}.`;
  return `${PROGRAM}: ${firstLine(String(error))}.`;
}
