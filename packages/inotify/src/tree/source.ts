/**
 * A tree's pipeline: it pulls the kernel's records from the record source, one at a time and in
 * order, keeps the tree of directory nodes up to date with each, and hands out the record's
 * event (its path built from the nodes as they are at that record) followed by whatever the
 * record made the tree find (synthetic `IN_CREATE`s of a new directory's entries).
 *
 * Where the records cannot tell the tree what is on disk, the tree does not guess: it marks the
 * nearest node it still trusts as in doubt, and once every queued record is applied and the
 * kernel queue is empty it checks that node against the disk again (see `walk.ts`). Doubt comes
 * from a watch that cannot be added because its path is gone (ENOENT, ENOTDIR: the record was
 * older than the disk), from `inotify_add_watch` answering with the wd of a node at another place,
 * from a rename onto a name the tree holds (RENAME_EXCHANGE), from `IN_UNMOUNT`, and from the
 * mount table changing under the roots. After `IN_Q_OVERFLOW` every root is checked, all the way
 * down.
 *
 * Walks run as jobs, in slices (`work()`), before the next kernel record is applied: the order
 * of events is kept, and an async consumer gives the event loop a turn between slices.
 */
import { lstatSync } from 'node:fs';
import type { EventBatch } from '@inotify-ts/decoder';
import {
  IN_CREATE,
  IN_DELETE,
  IN_IGNORED,
  IN_ISDIR,
  IN_MOVE_SELF,
  IN_MOVED_FROM,
  IN_MOVED_TO,
  IN_Q_OVERFLOW,
  IN_UNMOUNT,
} from '@inotify-ts/decoder';
import { arrayBatch } from '../batch-views.js';
import type { InotifyError } from '../errors.js';
import { eventAt, type InotifyEvent } from '../event.js';
import type { Pipeline } from '../pipeline.js';
import type { RecordSource } from '../source.js';
import { displayPath, pathArg, type Watches } from '../watches.js';
import { selectRecords } from './batch.js';
import { Duplicates } from './duplicates.js';
import { codeOf, symlinkRootError, watchLimitError } from './errors.js';
import { MountWatch } from './mounts.js';
import { PendingMoves } from './moves.js';
import type { DirNode } from './node.js';
import { type IgnoredDirPredicate, type TreeMasks, type TreeProgress, wanted } from './options.js';
import { deleteKeysWithin, isWithin, joinBytes, relocateKeys } from './paths.js';
import { RescanSchedule } from './rescan.js';
import { Walk, type WalkContext } from './walk.js';

/** Records whose name the tree needs whatever else is going on: directory creations, moves, deletes. */
const DIR_NAME_BITS = IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE;

/** Records whose name the duplicate check needs while a walk's window is open. */
const ENTRY_BITS = IN_CREATE | IN_MOVED_FROM | IN_DELETE;

/**
 * How long a tree that receives no event goes without looking at the mount table, in
 * milliseconds (it looks, with one `poll(2)`, whenever it has delivered everything it read).
 */
const MOUNT_CHECK_MS = 500;

/** The settings of a tree, validated by `InotifyTrees`. */
export interface TreeSettings {
  /** The roots, as byte strings. */
  readonly roots: readonly string[];
  readonly masks: TreeMasks;
  readonly ignored: IgnoredDirPredicate | null;
  readonly onError: ((error: InotifyError) => void) | undefined;
  readonly onProgress: ((progress: TreeProgress) => void) | undefined;
  readonly rescanIntervalMs: number;
}

type JobKind = 'grow' | 'reconcile' | 'rescan';

export class TreeSource implements Pipeline, WalkContext {
  readonly source: RecordSource;
  readonly watches: Watches;
  readonly masks: TreeMasks;
  readonly ignored: IgnoredDirPredicate | null;
  readonly narrow = new Set<DirNode>();
  readonly #settings: TreeSettings;
  readonly #roots: DirNode[] = [];
  /** Directories inside the trees that are not watched, by path (bytes), with the reason. */
  readonly #holes = new Map<string, InotifyError>();
  /** Directories that left their place (`IN_MOVED_FROM`), by cookie, until their `IN_MOVED_TO`. */
  readonly #moves = new PendingMoves();
  /** Nodes a rename displaced from their name, released at the next check unless found again. */
  readonly #displaced = new Set<DirNode>();
  readonly #doubts = new Set<DirNode>();
  readonly #duplicates = new Duplicates();
  readonly #rescan: RescanSchedule;
  readonly #mounts: MountWatch | null;
  #nextMountCheck = 0;

  /** Events ready to deliver, in order, from `#outHead` on (walks append to it). */
  readonly #out: InotifyEvent[] = [];
  #outHead = 0;
  #job: Walk | null = null;
  #jobKind: JobKind = 'grow';
  #jobStart = 0;
  /** An error of a finished job, thrown once the events before it are delivered. */
  #error: Error | null = null;

  /** `batches()`: where the batch handed out ends (kernel records), or -1. */
  #batchEnd = -1;
  /** `batches()`: the batch handed out is `#out` up to here, or -1. */
  #batchOut = -1;
  /** `batches()` holds a batch: released watches stay in the table until it advances. */
  #holding = false;
  readonly #released: number[] = [];

  constructor(source: RecordSource, settings: TreeSettings) {
    this.source = source;
    this.watches = source.watches;
    this.masks = settings.masks;
    this.ignored = settings.ignored;
    this.#settings = settings;
    this.#rescan = new RescanSchedule(settings.rescanIntervalMs);
    let mounts: MountWatch | null = null;
    try {
      mounts = new MountWatch(settings.roots);
    } catch {
      // No /proc: mounts are then noticed through IN_UNMOUNT only.
    }
    this.#mounts = mounts;
    this.#nextMountCheck = performance.now() + MOUNT_CHECK_MS;
  }

  /** Watches every directory under each root (the constructor's walk). Throws what stops it. */
  arm(): void {
    const { roots, onProgress } = this.#settings;
    let before = 0;
    for (const root of roots) {
      try {
        this.watches.add(pathArg(root), this.masks.reading);
      } catch (error) {
        if (codeOf(error) === 'ENOTDIR' && isSymlink(root)) {
          throw symlinkRootError(displayPath(root), error as InotifyError);
        }
        throw error;
      }
      const walk = new Walk(
        this,
        { quiet: true, report: false, deep: true, settled: true, progress: this.#progress('start', before) },
        this.#out,
      );
      walk.addRoot(root);
      walk.step(Number.POSITIVE_INFINITY);
      this.#roots.push(...walk.roots);
      if (walk.limit !== null) {
        const held = this.watches.size;
        throw watchLimitError(
          displayPath(root),
          held + walk.limit.unwatched,
          held,
          walk.limit.error,
          'start',
        );
      }
      const rootHole = this.#holes.get(root);
      if (rootHole !== undefined) throw rootHole;
      before += walk.dirs;
    }
    this.#doubts.clear();
    onProgress?.({ reason: 'start', dirs: before, done: true });
  }

  // ---- the pipeline ----

  peek(): InotifyEvent | undefined {
    const out = this.#out;
    for (;;) {
      if (this.#outHead < out.length) return out[this.#outHead];
      if (this.#job !== null) return undefined;
      this.#throwError();
      const source = this.source;
      const i = source.next();
      if (i < 0) {
        if (this.#idle()) continue;
        return undefined;
      }
      const batch = source.batch;
      const wd = batch.wd[i]!;
      const node = wd === -1 ? null : (this.watches.get(wd) as DirNode);
      const path = node === null ? '' : node.path;
      const keep = this.#apply(batch, i, node);
      if (keep) out.splice(this.#outHead, 0, eventAt(batch, i, path));
      source.advance();
    }
  }

  take(): void {
    if (++this.#outHead >= this.#out.length) this.#resetOut();
  }

  peekBatch(): EventBatch | undefined {
    const out = this.#out;
    for (;;) {
      if (this.#outHead < out.length) {
        this.#batchOut = out.length;
        return arrayBatch(out.slice(this.#outHead));
      }
      if (this.#job !== null) return undefined;
      this.#throwError();
      const rest = this.source.rest();
      if (rest === undefined) {
        if (this.#idle()) continue;
        return undefined;
      }
      return this.#cut(rest.batch, rest.from);
    }
  }

  takeBatch(): void {
    if (this.#batchOut >= 0) {
      this.#outHead = this.#batchOut;
      if (this.#outHead >= this.#out.length) this.#resetOut();
      this.#batchOut = -1;
    } else if (this.#batchEnd >= 0) {
      this.source.advanceTo(this.#batchEnd);
      this.#batchEnd = -1;
    }
    for (const wd of this.#released) this.watches.forget(wd);
    this.#released.length = 0;
  }

  working(): boolean {
    return this.#job !== null && this.#outHead >= this.#out.length;
  }

  work(budgetMs: number): void {
    const job = this.#job;
    if (job === null) return;
    if (this.#jobKind === 'reconcile' && (this.source.hasBuffered() || this.source.pendingBytes() > 0)) {
      // A check of a few directories is only sound against a model that has applied every
      // record: records came in since it started, so apply them first and check again afterwards.
      // (A rescan goes on: it walks everything, so it meets every directory wherever it went, and
      // under a steady stream it would otherwise never end.)
      this.#job = null;
      for (const node of job.checked) if (this.watches.get(node.wd) === node) this.doubt(node);
      return;
    }
    const before = this.#out.length;
    let done: boolean;
    try {
      done = job.step(budgetMs);
    } finally {
      this.#noteReported(before);
    }
    this.source.spill();
    if (done) this.#finishJob(job);
  }

  wakeInMs(): number | undefined {
    const now = performance.now();
    const rescan = this.#rescan.dueInMs(now);
    if (this.#mounts === null) return rescan;
    const mounts = Math.max(0, this.#nextMountCheck - now);
    return rescan === undefined ? mounts : Math.min(rescan, mounts);
  }

  // ---- what InotifyTrees asks ----

  /** Every watched directory, path -> wd, in wd order. */
  snapshot(): Map<string, number> {
    return this.watches.snapshot();
  }

  unreadable(): Map<string, InotifyError> {
    const holes = new Map<string, InotifyError>();
    for (const [path, error] of this.#holes) holes.set(displayPath(path), error);
    return holes;
  }

  close(): void {
    if (this.source.closed) return;
    this.source.close();
    this.#mounts?.close();
    this.#holes.clear();
    this.#moves.clear();
    this.#displaced.clear();
    this.#doubts.clear();
    this.#duplicates.clear();
    this.narrow.clear();
    this.#resetOut();
    this.#job = null;
  }

  // ---- WalkContext ----

  hole(path: string, error: InotifyError): void {
    this.#holes.set(path, error);
    this.#settings.onError?.(error);
  }

  mended(path: string): void {
    if (this.#holes.size > 0) this.#holes.delete(path);
  }

  moved(from: string, to: string): void {
    if (this.#holes.size > 0) relocateKeys(this.#holes, from, to);
  }

  doubt(node: DirNode): void {
    this.#doubts.add(node);
  }

  spill(): void {
    this.source.spill();
  }

  displaced(node: DirNode): void {
    this.#displaced.add(node);
  }

  /** Ends the watches of `node` and every node below it. */
  release(node: DirNode): void {
    const nodes = [...node.subtree()];
    node.detach();
    if (this.#holes.size > 0) deleteKeysWithin(this.#holes, node.bytes);
    for (const n of nodes) {
      this.narrow.delete(n);
      this.#duplicates.forgetWd(n.wd);
      this.#doubts.delete(n);
      this.#displaced.delete(n);
      if (this.#holding) {
        // `batches()` still resolves the wd until the consumer advances past the batch.
        this.watches.end(n.wd);
        this.#released.push(n.wd);
      } else {
        this.watches.remove(n.wd);
      }
    }
  }

  // ---- applying kernel records ----

  /**
   * Brings the nodes up to date with record `i` of `batch` (`node`: its wd's node, `null` for an
   * overflow). Returns whether the record is delivered. A throwing `ignoredDirs` throws before
   * anything changed, so the record can be applied again.
   */
  #apply(batch: EventBatch, i: number, node: DirNode | null): boolean {
    const mask = batch.mask[i]!;
    if (node === null) {
      if ((mask & IN_Q_OVERFLOW) !== 0) this.#rescan.request();
      return true;
    }
    const wd = node.wd;
    const isDirEntry = (mask & IN_ISDIR) !== 0 && (mask & DIR_NAME_BITS) !== 0;
    const name =
      isDirEntry || (this.#duplicates.size > 0 && (mask & ENTRY_BITS) !== 0) ? nameOf(batch, i) : '';
    // Asked before anything changes: if it throws, the record is applied again on the next pull.
    const ignored =
      isDirEntry &&
      (mask & (IN_CREATE | IN_MOVED_TO)) !== 0 &&
      this.ignored?.(displayPath(joinBytes(node.bytes, name)), displayPath(name)) === true;
    if (this.#moves.size > 0 && (mask & IN_MOVED_TO) === 0) this.#leftTree(node);
    if ((mask & IN_IGNORED) !== 0) this.#ended(node);
    if ((mask & IN_UNMOUNT) !== 0) this.doubt(node.parent ?? node);
    if (isDirEntry) {
      if ((mask & IN_CREATE) !== 0) {
        if (this.#duplicates.take(wd, name)) return false;
        if (!ignored) this.#grow(node, name);
      } else if ((mask & IN_MOVED_TO) !== 0) {
        const from = this.#moves.take(batch.cookie[i]!);
        if (from !== undefined) {
          if (ignored) this.release(from);
          else this.#movedWithin(from, node, name);
        } else {
          this.#duplicates.take(wd, name);
          if (!ignored) this.#grow(node, name);
        }
      } else if ((mask & IN_MOVED_FROM) !== 0) {
        this.#duplicates.take(wd, name);
        const child = node.child(name);
        if (child !== undefined) {
          child.detach();
          this.#moves.add(batch.cookie[i]!, child);
        } else if (this.#holes.size > 0) {
          deleteKeysWithin(this.#holes, joinBytes(node.bytes, name));
        }
      } else {
        this.#duplicates.take(wd, name);
        node.child(name)?.detach(); // its IN_IGNORED follows
        if (this.#holes.size > 0) this.#holes.delete(joinBytes(node.bytes, name));
      }
    } else if (name !== '') {
      if (this.#duplicates.take(wd, name) && (mask & IN_CREATE) !== 0) return false;
    }
    if ((mask & IN_MOVE_SELF) !== 0 && node.parent === null && this.#roots.includes(node)) {
      // A root was renamed: every path under it is stale, and the tree cannot know the new one.
      this.release(node);
    }
    return !this.masks.filtering || wanted(mask, this.masks.user);
  }

  /**
   * A record of a directory that left with `IN_MOVED_FROM` and whose `IN_MOVED_TO` did not come
   * first (the kernel queues a rename's `IN_MOVED_TO` right after its `IN_MOVED_FROM`, and the
   * moved directory's `IN_MOVE_SELF` after both): it left the trees.
   */
  #leftTree(node: DirNode): void {
    const moved = this.#moves.takeHolding(node);
    if (moved !== undefined) this.release(moved);
  }

  /** The watch of `node` ended (`IN_IGNORED`; the record source forgets the wd). */
  #ended(node: DirNode): void {
    this.narrow.delete(node);
    this.#duplicates.forgetWd(node.wd);
    this.#doubts.delete(node);
    this.#displaced.delete(node);
    node.detach();
    if (node.hasChildren) {
      // Its subdirectories' watches outlive it (an unmount ends them all, in any order): check
      // what is there now.
      for (const child of node.childList()) this.release(child);
      if (node.parent !== null) this.doubt(node.parent);
    }
    const root = this.#roots.indexOf(node);
    if (root >= 0) this.#roots.splice(root, 1);
  }

  /** A directory appeared at `parent`/`name` (created, or moved in from outside the trees). */
  #grow(parent: DirNode, name: string): void {
    // Without IN_CREATE in the mask there is nothing to report, and no kernel IN_CREATE to suppress.
    const report = (this.masks.user & IN_CREATE) !== 0;
    const walk = new Walk(this, { quiet: false, report, deep: false, settled: false }, this.#out);
    walk.addNew(parent, name);
    this.#startJob(walk, 'grow');
  }

  /** The directory `node` moved to `parent`/`name`, inside the trees. */
  #movedWithin(node: DirNode, parent: DirNode, name: string): void {
    const from = node.bytes;
    const displaced = node.attach(parent, name);
    if (displaced !== undefined) {
      // Renamed onto a directory the tree holds: replaced (its IN_IGNORED follows), or swapped
      // (RENAME_EXCHANGE: its own IN_MOVED_FROM follows). Check the place when idle.
      this.#displaced.add(displaced);
      this.doubt(parent);
    }
    this.moved(from, node.bytes);
    if (this.narrow.size > 0) {
      for (const n of [...this.narrow]) {
        if (n.within(node) && this.#widen(n)) this.narrow.delete(n);
      }
    }
  }

  #widen(node: DirNode): boolean {
    try {
      return this.watches.add(pathArg(node.bytes), this.masks.full) === node.wd;
    } catch {
      return false;
    }
  }

  // ---- idle: the queue is empty ----

  /** Whether the tree has something to do once the kernel queue is empty. */
  #idleWork(now: number): boolean {
    return (
      this.#moves.size > 0 ||
      this.#duplicates.size > 0 ||
      this.#doubts.size > 0 ||
      this.#rescan.dueInMs(now) === 0
    );
  }

  /**
   * Everything read was delivered. If the tree has work for an empty queue, makes sure the queue
   * is empty (a non-blocking read) and does it. Returns whether to pull again.
   */
  #idle(): boolean {
    const now = performance.now();
    if (this.#mounts !== null) {
      // One poll(2): the mount table is read only when it changed.
      this.#nextMountCheck = now + MOUNT_CHECK_MS;
      for (const point of this.#mounts.changes()) this.#doubtPath(point);
    }
    if (!this.#idleWork(now)) return false;
    if (this.source.fill() > 0) return true;
    // Every rename's IN_MOVED_TO is queued right after its IN_MOVED_FROM: the rest left the trees.
    for (const node of this.#moves.drain()) this.release(node);
    this.#duplicates.clear();
    if (this.#rescan.dueInMs(now) === 0) {
      this.#startRescan();
      return true;
    }
    if (this.#doubts.size > 0) {
      const walk = new Walk(this, { quiet: true, report: true, deep: false, settled: true }, this.#out);
      for (const node of this.#doubts) if (this.watches.get(node.wd) === node) walk.addReconcile(node);
      this.#doubts.clear();
      this.#startJob(walk, 'reconcile');
      return true;
    }
    return false;
  }

  /** A mount point appeared or went away at `path` (bytes): check its place again. */
  #doubtPath(path: string): void {
    let node: DirNode | undefined = this.#roots.find((root) => isWithin(path, root.bytes));
    if (node === undefined) return;
    // Down the nodes towards `path`; the place to check is the parent of the mount point.
    for (;;) {
      if (node.bytes === path) {
        this.doubt(node.parent ?? node);
        return;
      }
      const rest = path.slice(node.bytes === '/' ? 1 : node.bytes.length + 1);
      const child: DirNode | undefined = node.child(rest.split('/')[0]!);
      if (child === undefined) {
        this.doubt(node);
        return;
      }
      node = child;
    }
  }

  #startRescan(): void {
    const walk = new Walk(
      this,
      { quiet: true, report: true, deep: true, settled: true, progress: this.#progress('rescan', 0) },
      this.#out,
    );
    for (const root of this.#settings.roots) walk.addRoot(root);
    this.#doubts.clear();
    this.#startJob(walk, 'rescan');
  }

  #startJob(walk: Walk, kind: JobKind): void {
    this.#job = walk;
    this.#jobKind = kind;
    this.#jobStart = performance.now();
  }

  #finishJob(walk: Walk): void {
    this.#job = null;
    const kind = this.#jobKind;
    if (kind === 'rescan') {
      // Watches the walk did not meet: directories gone, moved out, or whose IN_IGNORED was lost.
      for (const [wd, node] of [...this.watches.entries()]) {
        if (!walk.met(wd) && this.watches.get(wd) === node) this.release(node as DirNode);
      }
      this.#roots.length = 0;
      this.#roots.push(...walk.roots);
      this.#rescan.ran(this.#jobStart, performance.now());
      this.#settings.onProgress?.({ reason: 'rescan', dirs: walk.dirs, done: true });
    }
    if (kind === 'reconcile') {
      // A root found again as a new directory (its place holds another one now).
      for (const root of walk.roots) if (!this.#roots.includes(root)) this.#roots.push(root);
    }
    if (kind === 'rescan') {
      this.#displaced.clear(); // released above unless the walk met them
    } else if (kind === 'reconcile') {
      for (const node of [...this.#displaced]) {
        if (this.watches.get(node.wd) !== node || node.attached) this.#displaced.delete(node);
      }
      // A directory the tree still watches but could not place: only a walk of everything finds it.
      if (this.#displaced.size > 0) this.#rescan.request();
    }
    if (walk.limit !== null) {
      const held = this.watches.size;
      const root = this.#settings.roots[0]!;
      this.#error ??= watchLimitError(
        displayPath(root),
        held + walk.limit.unwatched,
        held,
        walk.limit.error,
        kind === 'rescan' ? 'rescan' : 'growth',
      );
    }
    if (this.#outHead >= this.#out.length) this.#throwError();
  }

  // ---- batches ----

  /**
   * The kernel records from `from` on as one batch, cut where the tree must: before a record that
   * moves a directory (the paths of the records before it are those before the move), and after
   * a record that starts a walk (its synthetic events come next).
   */
  #cut(batch: EventBatch, from: number): EventBatch {
    const count = batch.count;
    let keep: Uint8Array | null = null;
    let end = count;
    this.#holding = true;
    try {
      for (let i = from; i < count; i++) {
        const wd = batch.wd[i]!;
        const mask = batch.mask[i]!;
        if (
          i > from &&
          (mask & (IN_MOVED_FROM | IN_MOVED_TO | IN_MOVE_SELF)) !== 0 &&
          (mask & (IN_ISDIR | IN_MOVE_SELF)) !== 0
        ) {
          end = i;
          break;
        }
        const node = wd === -1 ? null : (this.watches.get(wd) as DirNode | undefined);
        let kept = false;
        if (node !== undefined && !(node !== null && this.#released.includes(wd))) {
          try {
            kept = this.#apply(batch, i, node);
          } catch (error) {
            if (i === from) throw error;
            end = i; // hand out what came before; the record is applied again on the next pull
            break;
          }
        }
        if (!kept) (keep ??= new Uint8Array(count - from).fill(1))[i - from] = 0;
        if (this.#job !== null || this.#outHead < this.#out.length) {
          end = i + 1;
          break;
        }
      }
    } finally {
      this.#holding = false;
    }
    this.#batchEnd = end;
    this.#batchOut = -1;
    return selectRecords(batch, keep, from, end);
  }

  // ---- helpers ----

  /** Synthetic events a walk step added from `before` on: their kernel twins are duplicates. */
  #noteReported(before: number): void {
    const out = this.#out;
    for (let k = before; k < out.length; k++) {
      const e = out[k]!;
      if (e.synthetic === true)
        this.#duplicates.add(e.header.wd, Buffer.from(e.filenameBytes).toString('latin1'));
    }
  }

  #progress(reason: TreeProgress['reason'], before: number): ((dirs: number) => void) | undefined {
    const onProgress = this.#settings.onProgress;
    return onProgress && ((dirs) => onProgress({ reason, dirs: before + dirs, done: false }));
  }

  #resetOut(): void {
    this.#out.length = 0;
    this.#outHead = 0;
  }

  #throwError(): void {
    const error = this.#error;
    if (error !== null) {
      this.#error = null;
      throw error;
    }
  }
}

/** The name of record `i`, as bytes. */
function nameOf(batch: EventBatch, i: number): string {
  const bytes = batch.nameBytes(i);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

function isSymlink(p: string): boolean {
  try {
    return lstatSync(pathArg(p)).isSymbolicLink();
  } catch {
    return false;
  }
}
