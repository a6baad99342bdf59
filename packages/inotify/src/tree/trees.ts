import type { EventBatch } from '@inotify-ts/decoder';
import { IN_ALL_EVENTS } from '@inotify-ts/decoder';
import { type InotifyError, invalidArgument } from '../errors.js';
import type { InotifyEvent } from '../event.js';
import { Consumers, openSource } from '../inotify.js';
import type { BatchesOptions, EventGenOptions, EventsOptions } from '../options.js';
import type { RecordSource } from '../source.js';
import { byteKey, bytesOf } from '../watches.js';
import {
  type InotifyTreeOptions,
  ignoredPredicate,
  rescanIntervalMs,
  rootPath,
  treeMasks,
} from './options.js';
import { TreeSource } from './source.js';

/**
 * A columnar batch of a tree's `batches()`. Batches of events the tree made up carry
 * `synthetic`: `synthetic[i]` is `1` for a synthetic record (an `IN_CREATE` found by a walk),
 * `0` for a kernel record. Batches straight from the kernel have no `synthetic`.
 */
export type TreeBatch = EventBatch & { readonly synthetic?: Uint8Array };

const sources = new WeakMap<InotifyTrees, TreeSource>();

/**
 * The inotify fd of a tree, for tests that ask the kernel what it holds (/proc/self/fdinfo).
 * @internal
 */
export function treeFd(tree: InotifyTrees): number {
  return sources.get(tree)!.source.fd;
}

/**
 * The record source under a tree, for tests that watch its reads.
 * @internal
 */
export function treeRecords(tree: InotifyTrees): RecordSource {
  return sources.get(tree)!.source;
}

/**
 * Recursive watches on one or more directory trees, kept exact as the trees change: new
 * directories are watched as they appear and their contents reported, moved directories keep
 * correct paths, directories moved out or deleted release their watches, and after
 * `IN_Q_OVERFLOW` the trees are rescanned. The same generators as {@link Inotify}; the package
 * README has the guarantees and their limits.
 *
 * @example
 * ```ts
 * import { InotifyTrees } from '@inotify-ts/inotify';
 *
 * using trees = new InotifyTrees(['/srv/a', '/srv/b'], { ignoredDirs: ['.git'] });
 * for await (const event of trees.events()) console.log(event.typeNames, event.path, event.filename);
 * ```
 */
export class InotifyTrees implements Disposable, AsyncDisposable {
  readonly #tree: TreeSource;
  readonly #consumers: Consumers;
  readonly #roots: readonly string[];

  /**
   * Watches every directory under each of `paths` (see {@link InotifyTreeOptions}).
   *
   * @throws {InotifyError} for a root that does not exist, is not a directory, is a symbolic
   * link or cannot be read; ENOSPC (with the watches needed, the limit and the sysctl that raises
   * it) when the watch limit is reached; EMFILE at the instance limit; ERR_INVALID_ARG_VALUE for
   * bad options; whatever `ignoredDirs`, `onError` or `onProgress` throw. Nothing stays open
   * after an error.
   */
  constructor(paths: Iterable<string>, options: InotifyTreeOptions = {}) {
    if (typeof paths === 'string' || typeof (paths as Iterable<string>)?.[Symbol.iterator] !== 'function') {
      throw invalidArgument(
        'inotify_add_watch',
        'paths must be a list of directory paths; wrap a single path in an array, or use InotifyTree',
      );
    }
    const roots: string[] = [];
    for (const p of paths) {
      if (typeof p !== 'string' || p === '' || p.includes('\0')) {
        throw invalidArgument(
          'inotify_add_watch',
          `tree roots must be non-empty strings, got ${JSON.stringify(p)}`,
        );
      }
      const root = rootPath(p);
      if (!roots.includes(root)) roots.push(root);
    }
    if (roots.length === 0) throw invalidArgument('inotify_add_watch', 'a tree needs at least one root');
    const {
      mask = IN_ALL_EVENTS,
      ignoredDirs,
      onError,
      onProgress,
      rescanIntervalS,
      blockDurationS,
    } = options;
    for (const [name, f] of [
      ['onError', onError],
      ['onProgress', onProgress],
    ] as const) {
      if (f !== undefined && typeof f !== 'function') {
        throw invalidArgument('inotify_add_watch', `${name} must be a function, got ${typeof f}`);
      }
    }
    this.#roots = Object.freeze(roots);
    const masks = treeMasks(mask, roots[0]!);
    const ignored = ignoredPredicate(ignoredDirs);
    const rescanMs = rescanIntervalMs(rescanIntervalS);
    const source = openSource(options);
    let tree: TreeSource | undefined;
    try {
      tree = new TreeSource(source, {
        roots: roots.map(byteKey),
        masks,
        ignored,
        onError,
        onProgress,
        rescanIntervalMs: rescanMs,
      });
      tree.arm();
    } catch (error) {
      tree?.close();
      source.close();
      throw error;
    }
    this.#tree = tree;
    this.#consumers = new Consumers(this.#tree, blockDurationS);
    sources.set(this, this.#tree);
  }

  /** The roots, absolute and normalized, as events report them. */
  get roots(): readonly string[] {
    return this.#roots;
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#tree.source.closed;
  }

  /** A snapshot of every watched directory and its wd. */
  watches(): ReadonlyMap<string, number> {
    return this.#tree.snapshot();
  }

  /** The path `wd` watches now, `undefined` if it is not watched (for records of `batches()`). */
  pathOf(wd: number): string | undefined {
    return this.#tree.watches.get(wd)?.path;
  }

  /**
   * The exact bytes of the path `wd` watches now (`watches()` and `pathOf()` show bytes that are
   * not UTF-8 as U+FFFD), `undefined` if it is not watched. A new `Buffer` each call.
   */
  pathBytesOf(wd: number): Buffer | undefined {
    return bytesOf(this.#tree.watches.get(wd));
  }

  /**
   * A snapshot of the directories inside the trees that are not watched because they could not
   * be watched or listed, with the error for each (the same errors `onError` receives). An
   * entry goes away when the directory is deleted, moved, or watched after all.
   */
  unreadable(): ReadonlyMap<string, InotifyError> {
    return this.#tree.unreadable();
  }

  /**
   * {@link Inotify.eventGen} over the trees. Synthetic events (entries found in a directory new
   * to the tree) have `synthetic: true`. Walks run to the end inside the generator's cycle.
   *
   * @throws {InotifyError} (from the generator) ENOSPC when a directory that appeared cannot be
   * watched, after the events found before the limit; what `ignoredDirs` or `onError` throw (the
   * record that led to the call is applied again on the next pull, so nothing is lost).
   */
  eventGen(options: EventGenOptions & { yieldNones: false }): Generator<InotifyEvent, void, undefined>;
  eventGen(options?: EventGenOptions): Generator<InotifyEvent | null, void, undefined>;
  eventGen(options: EventGenOptions = {}): Generator<InotifyEvent | null, void, undefined> {
    return this.#consumers.eventGen(options);
  }

  /**
   * {@link Inotify.events} over the trees; errors as {@link InotifyTrees.eventGen}. Walks (a large
   * directory moved into the tree) run in slices of a few milliseconds between deliveries, so the
   * event loop keeps turning.
   */
  events(options: EventsOptions = {}): AsyncGenerator<InotifyEvent, void, undefined> {
    return this.#consumers.events(options);
  }

  /**
   * {@link Inotify.batches} over the trees: the kernel's records, minus those the tree swallows
   * (duplicates of synthetic events, events of directories that left the trees, events outside
   * `mask`). A read is cut before a record that moves a directory (so that {@link pathOf} gives
   * every record of a batch the path it had) and after a record that starts a walk; the
   * synthetic `IN_CREATE`s come as the next batches, with {@link TreeBatch.synthetic}.
   */
  batches(options: BatchesOptions = {}): AsyncGenerator<TreeBatch, void, undefined> {
    return this.#consumers.batches(options);
  }

  /** Closes the inotify instance (every watch ends); calling it again does nothing. */
  close(): void {
    this.#tree.close();
  }

  /** `close()`, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }
}
