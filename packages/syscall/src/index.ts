/**
 * `@inotify-ts/syscall`: Linux inotify syscalls for Node.js through koffi, one function per
 * syscall, errno passed through as {@link InotifyError}.
 *
 * @packageDocumentation
 */

export { close } from './close.js';
export { INOTIFY_EVENT_HEADER_SIZE, MIN_READ_BUFFER_SIZE, NAME_MAX } from './constants.js';
export { ERRNO_DESCRIPTIONS, errnoName } from './errno.js';
export type { CodedRangeError, CodedTypeError, InotifyErrorOptions } from './errors.js';
export { InotifyError } from './errors.js';
export { addWatch, init, pendingBytes, read, rmWatch } from './inotify.js';
export type { InotifyLimits, NamedLimit } from './limits.js';
export { effectiveLimit, limits } from './limits.js';
export { MOUNT_TABLE_PATH, mountTableChanged, openMountTable } from './mounts.js';
export type { PollResult } from './poll.js';
export { createWakeFd, poll, pollAsync, wake } from './poll.js';
export type { AsyncReader, ReaderKind, ReaderOptions, ReadOptions } from './reader.js';
export { createReader, eventLoopReadsAvailable } from './reader.js';
export { lstatLinks } from './stat.js';
export type { WaitReadableOptions } from './waiter.js';
export { waitReadable } from './waiter.js';
