import path from 'node:path';
import {
  IN_ACCESS,
  IN_ALL_EVENTS,
  IN_CLOSE_NOWRITE,
  IN_CREATE,
  IN_DELETE,
  IN_DONT_FOLLOW,
  IN_IGNORED,
  IN_MASK_ADD,
  IN_MASK_CREATE,
  IN_MOVE_SELF,
  IN_MOVED_FROM,
  IN_MOVED_TO,
  IN_ONESHOT,
  IN_ONLYDIR,
  IN_OPEN,
  IN_Q_OVERFLOW,
  IN_UNMOUNT,
} from '@inotify-ts/decoder';
import type { InotifyError } from '../errors.js';
import { invalidArgument } from '../errors.js';
import type { InotifyOptions } from '../inotify.js';
import { checkWatchMask } from '../mask.js';

/**
 * Decides whether a directory below a root is left out of the tree (neither watched nor
 * descended into). `path` is its full path, `name` its last component.
 */
export type IgnoredDirPredicate = (path: string, name: string) => boolean;

/** How far arming a tree got: passed to {@link InotifyTreeOptions.onProgress}. */
export interface TreeProgress {
  /** `'start'` for the constructor's walk, `'rescan'` for a walk after `IN_Q_OVERFLOW`. */
  readonly reason: 'start' | 'rescan';
  /** Directories walked so far (each is watched unless it was unreadable). */
  readonly dirs: number;
  /** `true` on the last call of a walk. */
  readonly done: boolean;
}

/** Options of {@link InotifyTree} and {@link InotifyTrees}. */
export interface InotifyTreeOptions extends Omit<InotifyOptions, 'paths'> {
  /**
   * Event bits every directory is watched for; default `IN_ALL_EVENTS`. `IN_ONLYDIR` and
   * `IN_DONT_FOLLOW` are always added; `IN_EXCL_UNLINK` may be given. `IN_ONESHOT`,
   * `IN_MASK_ADD` and `IN_MASK_CREATE` are refused (the tree re-adds watches as it works).
   * The tree also watches for the few bits it needs to follow the tree (`IN_CREATE`,
   * `IN_DELETE`, `IN_MOVED_FROM`, `IN_MOVED_TO`, `IN_MOVE_SELF`) and does not deliver those
   * events unless they are in `mask`.
   */
  mask?: number;
  /**
   * Directories to leave out, checked before any watch is added: a name without `/`
   * (`'node_modules'`, matched at any depth), an absolute path (that directory only, as in the
   * Python package's `ignored_dirs`), or a predicate. Roots themselves are never ignored.
   */
  ignoredDirs?: Iterable<string> | IgnoredDirPredicate;
  /**
   * Called with every directory the tree cannot watch or list (EACCES, ENAMETOOLONG, a name
   * that is not UTF-8, …): during the constructor for the start-up walk, during iteration for
   * directories that appear later. The tree carries on without that directory; see also
   * {@link InotifyTrees.unreadable}. Errors thrown by the callback propagate.
   */
  onError?: (error: InotifyError) => void;
  /** Called every 1,024 directories of a walk and once when it ends (see {@link TreeProgress}). */
  onProgress?: (progress: TreeProgress) => void;
  /**
   * Least time between two rescans after `IN_Q_OVERFLOW`, in seconds; default `1`. A rescan
   * also waits at least four times as long as the previous one took, so a storm of overflows
   * cannot keep the tree walking.
   */
  rescanIntervalS?: number;
}

/** Bits the tree needs from every watch to follow the tree, whatever the user's mask. */
export const TREE_BITS = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_MOVE_SELF;

/** What reading a directory makes the kernel report: left out of watches while the tree reads. */
export const READ_BITS = IN_OPEN | IN_ACCESS | IN_CLOSE_NOWRITE;

/** Events delivered whatever the mask: the kernel sends them unasked. */
const UNASKED_BITS = IN_IGNORED | IN_Q_OVERFLOW | IN_UNMOUNT;

/** The masks a tree works with, derived from the user's `mask`. */
export interface TreeMasks {
  /** The event bits the user asked for. */
  readonly user: number;
  /** What every settled watch is added with. */
  readonly full: number;
  /** What a watch is added with while the tree reads that directory. */
  readonly reading: number;
  /** Whether some events the watches report were not asked for (and must be swallowed). */
  readonly filtering: boolean;
}

/** Validates `mask` (the root names the watch in error messages) and derives the tree's masks. */
export function treeMasks(mask: number, root: string): TreeMasks {
  const bits = checkWatchMask(root, mask);
  const refused = bits & (IN_ONESHOT | IN_MASK_ADD | IN_MASK_CREATE);
  if (refused !== 0) {
    throw invalidArgument(
      'inotify_add_watch',
      'a tree mask cannot hold IN_ONESHOT, IN_MASK_ADD or IN_MASK_CREATE: the tree adds and re-adds its watches itself',
      root,
    );
  }
  const user = bits & IN_ALL_EVENTS;
  const full = (bits | TREE_BITS | IN_ONLYDIR | IN_DONT_FOLLOW) >>> 0;
  return {
    user,
    full,
    reading: (full & ~READ_BITS) >>> 0,
    filtering: (user & TREE_BITS) !== TREE_BITS,
  };
}

/** Whether an event with `mask` is delivered to a user who asked for `user` event bits. */
export function wanted(mask: number, user: number): boolean {
  return (mask & (user | UNASKED_BITS)) !== 0;
}

/** Turns `ignoredDirs` into one predicate, `null` when nothing is ignored. */
export function ignoredPredicate(ignoredDirs: unknown): IgnoredDirPredicate | null {
  if (ignoredDirs === undefined || ignoredDirs === null) return null;
  if (typeof ignoredDirs === 'function') {
    const predicate = ignoredDirs as IgnoredDirPredicate;
    return (p, name) => predicate(p, name) === true;
  }
  if (
    typeof ignoredDirs === 'string' ||
    typeof (ignoredDirs as Iterable<unknown>)[Symbol.iterator] !== 'function'
  ) {
    throw invalidArgument(
      'inotify_add_watch',
      'ignoredDirs must be a list of directory names or absolute paths, or a function (path, name) => boolean',
    );
  }
  const names = new Set<string>();
  const paths = new Set<string>();
  for (const entry of ignoredDirs as Iterable<unknown>) {
    if (typeof entry !== 'string' || entry === '' || entry.includes('\0')) {
      throw invalidArgument(
        'inotify_add_watch',
        `ignoredDirs: ${JSON.stringify(entry)} is not a directory name or an absolute path`,
      );
    }
    if (path.isAbsolute(entry)) paths.add(rootPath(entry));
    else if (!entry.includes('/')) names.add(entry);
    else {
      throw invalidArgument(
        'inotify_add_watch',
        `ignoredDirs: ${JSON.stringify(entry)} is a relative path; give a bare name (matched at any depth) or an absolute path`,
      );
    }
  }
  if (names.size === 0 && paths.size === 0) return null;
  if (paths.size === 0) return (_, name) => names.has(name);
  return (p, name) => names.has(name) || paths.has(p);
}

/** A root as the tree reports it: absolute, normalized, without a trailing `/` (except `/`). */
export function rootPath(p: string): string {
  return path.resolve(p);
}

/** Validates `rescanIntervalS`; returns milliseconds. */
export function rescanIntervalMs(value: unknown): number {
  if (value === undefined) return 1000;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalidArgument(
      'read',
      `rescanIntervalS must be a finite number of seconds >= 0, got ${String(value)}`,
    );
  }
  return value * 1000;
}
