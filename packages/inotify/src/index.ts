/**
 * Linux inotify for Node.js: the Python `inotify` package's generator API (`Inotify`,
 * `addWatch`, `eventGen`, `InotifyTree`, `InotifyTrees`), plus non-blocking async iteration,
 * columnar batches and recursive trees that stay exact.
 *
 * @packageDocumentation
 */

export type { EventBatch } from '@inotify-ts/decoder';
export {
  IN_ACCESS,
  IN_ALL_EVENTS,
  IN_ATTRIB,
  IN_CLOSE,
  IN_CLOSE_NOWRITE,
  IN_CLOSE_WRITE,
  IN_CREATE,
  IN_DELETE,
  IN_DELETE_SELF,
  IN_DONT_FOLLOW,
  IN_EXCL_UNLINK,
  IN_IGNORED,
  IN_ISDIR,
  IN_MASK_ADD,
  IN_MASK_CREATE,
  IN_MODIFY,
  IN_MOVE,
  IN_MOVE_SELF,
  IN_MOVED_FROM,
  IN_MOVED_TO,
  IN_ONESHOT,
  IN_ONLYDIR,
  IN_OPEN,
  IN_Q_OVERFLOW,
  IN_UNMOUNT,
  maskNames,
} from '@inotify-ts/decoder';
export { effectiveLimit, type NamedLimit } from '@inotify-ts/syscall';
export { InotifyError, TerminalEventError } from './errors.js';
export type { InotifyEvent, InotifyEventHeader } from './event.js';
export { Inotify, type InotifyOptions } from './inotify.js';
export {
  type BatchesOptions,
  type ConsumeOptions,
  DEFAULT_TERMINAL_EVENTS,
  type EventGenOptions,
  type EventsOptions,
  type FilterPredicate,
} from './options.js';
export type { AsyncReads } from './source.js';
export { TreeWatchLimitError } from './tree/errors.js';
export type { IgnoredDirPredicate, InotifyTreeOptions, TreeProgress } from './tree/options.js';
export { InotifyTree } from './tree/tree.js';
export { InotifyTrees, type TreeBatch } from './tree/trees.js';
