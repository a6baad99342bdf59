import { lstatSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { EventBatch } from '@inotify-ts/decoder';
import {
  IN_ALL_EVENTS,
  IN_CREATE,
  IN_DELETE,
  IN_IGNORED,
  IN_ISDIR,
  IN_MOVE_SELF,
  IN_MOVED_FROM,
  IN_MOVED_TO,
  IN_Q_OVERFLOW,
} from '@inotify-ts/decoder';
import * as sys from '@inotify-ts/syscall';
import type { Core } from '../core.js';
import { type InotifyError, invalidArgument } from '../errors.js';
import type { InotifyEvent } from '../event.js';
import { coreOf, Inotify } from '../inotify.js';
import type { BatchesOptions, EventGenOptions, EventsOptions } from '../options.js';
import { selectRecords } from './batch.js';
import { Duplicates } from './duplicates.js';
import { codeOf, encodingError, symlinkRootError, watchLimitError } from './errors.js';
import { PendingMoves } from './moves.js';
import {
  type IgnoredDirPredicate,
  type InotifyTreeOptions,
  ignoredPredicate,
  rescanIntervalMs,
  rootPath,
  type TreeMasks,
  type TreeProgress,
  treeMasks,
  wanted,
} from './options.js';
import { childPath, deleteKeysWithin, isWithin, relocateKeys } from './paths.js';
import { RescanSchedule } from './rescan.js';
import { exists, type WalkContext, walk, widenWatch } from './walk.js';
import { WdSet } from './wd-set.js';

/**
 * A columnar batch of a tree's `batches()`. Batches of events the tree made up carry
 * `synthetic`: `synthetic[i]` is `1` for a synthetic record (an `IN_CREATE` found by a scan),
 * `0` for a kernel record. Batches straight from the kernel have no `synthetic`.
 */
export type TreeBatch = EventBatch & { readonly synthetic?: Uint8Array };

/** Records whose name the tree needs, whatever else is going on: directory creations, moves, deletes. */
const DIR_NAME_BITS = IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE;

/** Records whose name the duplicate check needs while a scan's window is open. */
const ENTRY_BITS = IN_CREATE | IN_MOVED_FROM | IN_DELETE;

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
export class InotifyTrees implements Disposable {
  readonly #inotify: Inotify;
  readonly #core: Core;
  readonly #roots: readonly string[];
  readonly #masks: TreeMasks;
  readonly #ignored: IgnoredDirPredicate | null;
  readonly #onError: ((error: InotifyError) => void) | undefined;
  readonly #onProgress: ((progress: TreeProgress) => void) | undefined;
  readonly #ctx: WalkContext;
  /** Directories in the trees that are not watched because they could not be watched or listed. */
  readonly #holes = new Map<string, InotifyError>();
  readonly #moves = new PendingMoves();
  readonly #duplicates = new Duplicates();
  readonly #narrow = new Set<number>();
  readonly #rescan: RescanSchedule;

  /** Synthetic events of the record being tracked, injected after it. */
  #synthetic: InotifyEvent[] | null = null;
  /** The ENOSPC of the record being tracked (growth). */
  #growthError: InotifyError | null = null;
  /** An ENOSPC met in `batches()`, thrown once the consumer advances past the batch. */
  #batchError: InotifyError | null = null;
  /** `batches()` hands out a batch: released watches stay in the table until it advances. */
  #holding = false;
  readonly #releasing = new Set<number>();

  /**
   * Watches every directory under each of `paths` (see {@link InotifyTreeOptions}).
   *
   * @throws {InotifyError} for a root that does not exist, is not a directory, is a symbolic
   * link or cannot be read; ENOSPC (with the watches needed, the limit and the sysctl that raises
   * it) when the watch limit is reached; EMFILE at the instance limit; ERR_INVALID_ARG_VALUE for
   * bad options. Nothing stays open after an error.
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
      readBufferBytes,
      asyncReads,
      readDelayMs,
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
    this.#masks = treeMasks(mask, roots[0]!);
    this.#ignored = ignoredPredicate(ignoredDirs);
    this.#onError = onError;
    this.#onProgress = onProgress;
    this.#rescan = new RescanSchedule(rescanIntervalMs(rescanIntervalS));
    this.#inotify = new Inotify({
      ...(blockDurationS === undefined ? {} : { blockDurationS }),
      ...(readBufferBytes === undefined ? {} : { readBufferBytes }),
      ...(asyncReads === undefined ? {} : { asyncReads }),
      ...(readDelayMs === undefined ? {} : { readDelayMs }),
    });
    this.#core = coreOf(this.#inotify);
    this.#ctx = {
      fd: this.#core.fd,
      table: this.#core.watches,
      masks: this.#masks,
      ignored: this.#ignored,
      narrow: this.#narrow,
      hole: (p, error) => {
        this.#holes.set(p, error);
        this.#onError?.(error);
      },
      mended: (p) => {
        if (this.#holes.size > 0) this.#holes.delete(p);
      },
    };
    try {
      let dirs = 0;
      for (const root of roots) dirs += this.#armRoot(root, dirs);
      onProgress?.({ reason: 'start', dirs, done: true });
    } catch (error) {
      this.#inotify.close();
      throw error;
    }
    this.#core.interceptor = {
      event: (event) => this.#onEvent(event),
      batch: (batch) => this.#onBatch(batch),
      idle: () => this.#onIdle(),
      wakeInMs: () => this.#rescan.dueInMs(performance.now()),
    };
  }

  /** The underlying instance (its fd, `pathOf()`, `watches()`). Adding or removing watches on it directly desynchronizes the tree. */
  get inotify(): Inotify {
    return this.#inotify;
  }

  /** The roots, absolute and normalized, as events report them. */
  get roots(): readonly string[] {
    return this.#roots;
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#inotify.closed;
  }

  /** A snapshot of every watched directory and its wd. */
  watches(): ReadonlyMap<string, number> {
    return this.#inotify.watches();
  }

  /** The path `wd` watches now, `undefined` if it is not watched (for records of `batches()`). */
  pathOf(wd: number): string | undefined {
    return this.#inotify.pathOf(wd);
  }

  /**
   * A snapshot of the directories inside the trees that are not watched because they could not
   * be watched or listed, with the error for each (the same errors `onError` receives). An
   * entry goes away when the directory is deleted, moved, or watched after all (by a rescan).
   */
  unreadable(): ReadonlyMap<string, InotifyError> {
    return new Map(this.#holes);
  }

  /**
   * {@link Inotify.eventGen} over the trees. Synthetic events (entries found in a new directory)
   * have `synthetic: true`.
   *
   * @throws {InotifyError} (from the generator) ENOSPC when a directory that appeared cannot be
   * watched; the event that announced it was not lost: the next generator yields it first.
   */
  eventGen(options: EventGenOptions = {}): Generator<InotifyEvent | null, void, undefined> {
    return this.#inotify.eventGen(options);
  }

  /** {@link Inotify.events} over the trees; errors as {@link InotifyTrees.eventGen}. */
  events(options: EventsOptions = {}): AsyncGenerator<InotifyEvent, void, undefined> {
    return this.#inotify.events(options);
  }

  /**
   * {@link Inotify.batches} over the trees: the kernel's records, minus those the tree swallows
   * (duplicates of synthetic events, events of directories that left the trees, events outside
   * `mask`). The synthetic `IN_CREATE`s of a scan come as the next batch, before the records read
   * after the directory's creation; they carry {@link TreeBatch.synthetic}. An ENOSPC is thrown
   * when the consumer advances past the batch with the directory that could not be watched.
   */
  async *batches(options: BatchesOptions = {}): AsyncGenerator<TreeBatch, void, undefined> {
    this.#throwBatchError();
    for await (const batch of this.#inotify.batches(options)) {
      yield batch;
      this.#throwBatchError();
    }
  }

  /** Closes the inotify instance (every watch ends); calling it again does nothing. */
  close(): void {
    this.#inotify.close();
    this.#holes.clear();
    this.#moves.clear();
    this.#duplicates.clear();
    this.#narrow.clear();
    this.#releasing.clear();
  }

  /** `close()`, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  // ---- start-up ----

  /** Watches the tree under `root`; returns the directories walked. */
  #armRoot(root: string, before: number): number {
    const core = this.#core;
    try {
      sys.addWatch(core.fd, root, this.#masks.reading);
    } catch (error) {
      if (codeOf(error) === 'ENOTDIR' && isSymlink(root)) throw symlinkRootError(root, error as InotifyError);
      throw error;
    }
    const result = walk(this.#ctx, root, {
      quiet: true,
      synthetic: null,
      visited: new WdSet(),
      progress: this.#progress('start', before),
    });
    if (result.limit !== null) {
      const held = core.watches.size;
      throw watchLimitError(root, held + result.limit.unwatched, held, result.limit.error, 'start');
    }
    const rootHole = this.#holes.get(root);
    if (rootHole !== undefined) throw rootHole;
    return result.dirs;
  }

  /** The walk's progress callback: `onProgress` with the directories of earlier walks added. */
  #progress(reason: TreeProgress['reason'], before: number): ((dirs: number) => void) | undefined {
    const onProgress = this.#onProgress;
    return onProgress && ((dirs) => onProgress({ reason, dirs: before + dirs, done: false }));
  }

  // ---- following the trees ----

  /** The event hook: tracks a kernel event when the consumer pulls it; `false` swallows it. */
  #onEvent(event: InotifyEvent): boolean {
    if (this.#releasing.size > 0) this.#flushReleased();
    const { wd, mask, cookie } = event.header;
    const keep = this.#track(wd, mask, cookie, event.path, event.filename, null, 0);
    const synthetic = this.#synthetic;
    this.#synthetic = null;
    const error = this.#growthError;
    if (error !== null) {
      // Throw now, and deliver this event and what the scan found before the limit afterwards.
      this.#growthError = null;
      this.#core.inject(keep ? [event, ...(synthetic ?? [])] : (synthetic ?? []));
      throw error;
    }
    if (synthetic !== null) this.#core.inject(synthetic);
    return keep;
  }

  /**
   * The batch hook: tracks every record of a batch `batches()` is about to yield. A record that
   * leads to synthetic events ends the batch there: the rest is put back, to follow them.
   */
  #onBatch(batch: EventBatch): EventBatch | undefined {
    if (this.#releasing.size > 0) this.#flushReleased();
    if ((batch as TreeBatch).synthetic !== undefined) return undefined; // injected: tracked already
    const { count, wd: wds, mask: masks, cookie: cookies } = batch;
    const table = this.#core.watches;
    let keep: Uint8Array | null = null;
    let end = count;
    this.#holding = true;
    try {
      for (let i = 0; i < count; i++) {
        const wd = wds[i]!;
        let kept: boolean;
        if (wd === -1) {
          kept = this.#track(wd, masks[i]!, 0, '', null, batch, i);
        } else {
          const path = table.pathOf(wd);
          kept =
            path !== undefined &&
            (this.#releasing.size === 0 || !this.#releasing.has(wd)) &&
            this.#track(wd, masks[i]!, cookies[i]!, path, null, batch, i);
        }
        if (!kept) (keep ??= new Uint8Array(count).fill(1))[i] = 0;
        if (this.#synthetic !== null || this.#growthError !== null) {
          end = i + 1;
          break;
        }
      }
    } finally {
      this.#holding = false;
    }
    if (end < count) this.#core.untake(end);
    if (this.#synthetic !== null) {
      this.#core.inject(this.#synthetic);
      this.#synthetic = null;
    }
    if (this.#growthError !== null) {
      this.#batchError ??= this.#growthError;
      this.#growthError = null;
    }
    return keep === null && end === count ? undefined : selectRecords(batch, keep, end);
  }

  /**
   * Keeps the trees exact for one kernel record (`path`: its watch's path now; `name`: its
   * filename, or `null` to read it from `batch` record `i` when needed). Returns whether the
   * record is delivered. Synthetic events go to `#synthetic`, an ENOSPC to `#growthError`.
   */
  #track(
    wd: number,
    mask: number,
    cookie: number,
    path: string,
    name: string | null,
    batch: EventBatch | null,
    i: number,
  ): boolean {
    if (wd === -1) {
      if ((mask & IN_Q_OVERFLOW) !== 0) this.#rescan.request();
      return true;
    }
    if ((mask & IN_IGNORED) !== 0) {
      this.#narrow.delete(wd);
      this.#duplicates.forgetWd(wd);
    }
    if (this.#moves.size > 0) {
      const dir = (mask & IN_MOVED_TO) !== 0 ? undefined : this.#moves.takeHolding(path);
      if (dir !== undefined) {
        // The first sign of the directory after it left, before any IN_MOVED_TO: it left the trees.
        this.#release(dir);
        if ((mask & IN_MOVE_SELF) === 0 || path !== dir) return false;
      }
    }
    if ((mask & IN_ISDIR) !== 0 && (mask & DIR_NAME_BITS) !== 0) {
      const n = name ?? batch!.name(i);
      const child = childPath(path, n);
      if ((mask & IN_CREATE) !== 0) {
        if (this.#duplicates.take(wd, n)) return false;
        this.#grow(child, n, false);
      } else if ((mask & IN_MOVED_TO) !== 0) {
        const from = this.#moves.take(cookie);
        if (from !== undefined) this.#movedWithin(from, child, n);
        else this.#grow(child, n, this.#duplicates.take(wd, n));
      } else if ((mask & IN_MOVED_FROM) !== 0) {
        this.#duplicates.take(wd, n);
        if (this.#core.watches.wdOf(child) !== undefined) this.#moves.add(cookie, child);
        else deleteKeysWithin(this.#holes, child);
      } else {
        this.#duplicates.take(wd, n);
        this.#holes.delete(child);
      }
    } else if (this.#duplicates.size > 0 && (mask & ENTRY_BITS) !== 0) {
      const taken = this.#duplicates.take(wd, name ?? batch!.name(i));
      if (taken && (mask & IN_CREATE) !== 0) return false;
    }
    if ((mask & IN_MOVE_SELF) !== 0 && this.#roots.includes(path)) {
      // A root was renamed: every path under it is stale, and the tree cannot know the new one.
      this.#release(path);
    }
    return !this.#masks.filtering || wanted(mask, this.#masks.user);
  }

  /**
   * A directory appeared at `dir` (created, or moved in from outside the trees): watch it and
   * everything in it, reporting the entries found. `scanned`: a scan of this window already
   * reported it (an `IN_MOVED_TO` that raced the scan); it is walked again only if `dir` is now
   * another directory.
   */
  #grow(dir: string, name: string, scanned: boolean): void {
    if (this.#ignored?.(dir, name)) return;
    if (name.includes('\uFFFD') && !exists(dir)) {
      this.#ctx.hole(dir, encodingError(dir));
      return;
    }
    const table = this.#core.watches;
    if (scanned) {
      const known = table.wdOf(dir);
      if (known !== undefined && widenWatch(this.#ctx, dir, known)) return;
    }
    // Without IN_CREATE in the mask there is nothing to report, and no kernel IN_CREATE to suppress.
    const synthetic = (this.#masks.user & IN_CREATE) === 0 ? null : (this.#synthetic ??= []);
    const first = synthetic?.length ?? 0;
    const result = walk(this.#ctx, dir, { quiet: false, synthetic, visited: new WdSet() });
    if (synthetic !== null) {
      for (let k = first; k < synthetic.length; k++) {
        const { header, filename } = synthetic[k]!;
        this.#duplicates.add(header.wd, filename);
      }
      if (synthetic.length === 0) this.#synthetic = null;
    }
    if (result.limit !== null && this.#growthError === null) {
      const held = table.size;
      this.#growthError = watchLimitError(
        this.#rootOf(dir),
        held + result.limit.unwatched,
        held,
        result.limit.error,
        'growth',
      );
    }
  }

  /** The directory at `from` moved to `to`, inside the trees. */
  #movedWithin(from: string, to: string, name: string): void {
    const table = this.#core.watches;
    if (this.#ignored?.(to, name)) {
      this.#release(from);
      return;
    }
    table.relocate(from, to);
    relocateKeys(this.#holes, from, to);
    if (this.#narrow.size > 0) {
      for (const wd of [...this.#narrow]) {
        const p = table.pathOf(wd);
        if (p !== undefined && isWithin(p, to) && widenWatch(this.#ctx, p, wd)) this.#narrow.delete(wd);
      }
    }
  }

  /** Ends every watch at and below `dir` (rm_watch), so that nothing more is reported for them. */
  #release(dir: string): void {
    const core = this.#core;
    const wds: number[] = [];
    for (const [wd, p] of core.watches.entries()) if (isWithin(p, dir)) wds.push(wd);
    for (const wd of wds) {
      try {
        sys.rmWatch(core.fd, wd);
      } catch (error) {
        // EINVAL: the kernel ended it already (its IN_IGNORED is queued).
        if (codeOf(error) !== 'EINVAL') throw error;
      }
      this.#narrow.delete(wd);
      this.#duplicates.forgetWd(wd);
      if (this.#holding) this.#releasing.add(wd);
      else core.watches.delete(wd);
    }
    deleteKeysWithin(this.#holes, dir);
  }

  #flushReleased(): void {
    for (const wd of this.#releasing) this.#core.watches.delete(wd);
    this.#releasing.clear();
  }

  /** Everything read was delivered and the queue is empty. */
  #onIdle(): void {
    if (this.#releasing.size > 0) this.#flushReleased();
    if (this.#moves.size > 0) for (const dir of this.#moves.drain()) this.#release(dir);
    this.#duplicates.clear();
    if (this.#rescan.dueInMs(performance.now()) === 0) this.#rescanNow();
    this.#throwBatchError();
  }

  /** Walks every root again so that the watches equal the directories on disk. */
  #rescanNow(): void {
    const start = performance.now();
    const core = this.#core;
    this.#holes.clear();
    this.#narrow.clear();
    const visited = new WdSet();
    let limit: { root: string; error: InotifyError; unwatched: number } | null = null;
    let dirs = 0;
    for (const root of this.#roots) {
      const progress = this.#progress('rescan', dirs);
      const result = walk(this.#ctx, root, { quiet: true, synthetic: null, visited, progress });
      dirs += result.dirs;
      if (result.limit !== null && limit === null) limit = { root, ...result.limit };
    }
    if (limit === null) {
      // Watches of directories that are gone, moved out, or whose IN_IGNORED the overflow lost.
      const stale: number[] = [];
      for (const [wd] of core.watches.entries()) if (!visited.has(wd)) stale.push(wd);
      for (const wd of stale) {
        try {
          sys.rmWatch(core.fd, wd);
        } catch (error) {
          if (codeOf(error) !== 'EINVAL') throw error;
        }
        core.watches.delete(wd);
      }
    }
    this.#rescan.ran(start, performance.now());
    this.#onProgress?.({ reason: 'rescan', dirs, done: true });
    if (limit !== null) {
      const held = core.watches.size;
      throw watchLimitError(limit.root, held + limit.unwatched, held, limit.error, 'rescan');
    }
  }

  #throwBatchError(): void {
    const error = this.#batchError;
    if (error !== null) {
      this.#batchError = null;
      throw error;
    }
  }

  #rootOf(p: string): string {
    return this.#roots.find((root) => isWithin(p, root)) ?? this.#roots[0]!;
  }
}

function isSymlink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
