import { constants } from 'node:os';
import { InotifyError } from '@inotify-ts/syscall';
import type { InotifyEvent } from './event.js';

export { InotifyError };

/**
 * Thrown by `eventGen()` and `events()` instead of yielding an event whose type is one of the
 * consumer's `terminalEvents` (by default `IN_Q_OVERFLOW` and `IN_UNMOUNT`). The event counts as
 * delivered: the next generator continues with the event after it.
 */
export class TerminalEventError extends Error {
  /** Always `'ERR_INOTIFY_TERMINAL_EVENT'`. */
  readonly code = 'ERR_INOTIFY_TERMINAL_EVENT';
  /** The type name that matched `terminalEvents`, e.g. `'IN_Q_OVERFLOW'`. */
  readonly typeName: string;
  /** The event itself, complete (`path` is `''` for `IN_Q_OVERFLOW`). */
  readonly event: InotifyEvent;

  constructor(typeName: string, event: InotifyEvent) {
    super(
      typeName === 'IN_Q_OVERFLOW'
        ? 'IN_Q_OVERFLOW: the kernel queue overflowed and dropped events (raise fs.inotify.max_queued_events or read faster); ' +
            'pass terminalEvents without IN_Q_OVERFLOW to receive it as an event'
        : `${typeName} on ${JSON.stringify(event.path)} is a terminal event for this consumer (terminalEvents)`,
    );
    this.name = 'TerminalEventError';
    this.typeName = typeName;
    this.event = event;
  }
}

/** Error for a misuse the facade detects before any syscall. */
export function usageError(
  code: string,
  errno: number,
  syscall: string,
  message: string,
  path?: string,
): InotifyError {
  return new InotifyError({ code, errno, syscall, message, ...(path === undefined ? {} : { path }) });
}

/** The instance was closed: `code` `'ERR_INOTIFY_CLOSED'`, errno EBADF. */
export function closedError(syscall: string, path?: string): InotifyError {
  return usageError(
    'ERR_INOTIFY_CLOSED',
    constants.errno.EBADF,
    syscall,
    'this Inotify instance is closed; create a new one',
    path,
  );
}

/**
 * Another consumer is reading: `code` `'ERR_INOTIFY_BUSY'`, errno EBUSY. `who` is the consumer
 * refused: another `events()`/`batches()` iterator, or `eventGen()` while one runs (its read
 * would race the pending asynchronous read for the same records).
 */
export function busyError(who: 'events' | 'eventGen'): InotifyError {
  return usageError(
    'ERR_INOTIFY_BUSY',
    constants.errno.EBUSY,
    'read',
    who === 'events'
      ? 'another events()/batches() iterator is already reading this Inotify instance; ' +
          'finish it (break or return) first, or use one Inotify per consumer'
      : 'an events()/batches() iterator is reading this Inotify instance, so eventGen() cannot read it ' +
          'at the same time; finish that iterator (break, return or abort its signal) first, or use one Inotify per consumer',
  );
}

/** The error code of a Node `fs` error or an {@link InotifyError}, `undefined` for anything else. */
export function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A bad argument: `code` `'ERR_INVALID_ARG_VALUE'`, errno EINVAL. */
export function invalidArgument(syscall: string, message: string, path?: string): InotifyError {
  return usageError('ERR_INVALID_ARG_VALUE', constants.errno.EINVAL, syscall, message, path);
}
