/**
 * A recursive watcher that ships every event as a record into a sink, and never stalls the
 * kernel reader for it:
 *
 * - Live events go to the sink with `offer`, which never waits. When the sink is full the
 *   event is dropped and counted (it gets no seq); once the sink has room again (half of it),
 *   one `sink-dropped` gap record says how many were lost, and a rescan follows.
 * - A rescan lists the whole tree as `change` records of kind `exists`, between
 *   `rescan-started` and `rescan-finished` gap records (scan `entries`): the full state after
 *   the loss. It runs after every sink drop and every kernel overflow, in slices, leaving a
 *   quarter of the sink for live events.
 * - The tree's own rescans of its watches after an overflow are bracketed by gap records with
 *   scan `watches` (from its `onProgress`).
 * - With `stateFile`, the tree is compared at start with the snapshot of the last run, and what
 *   changed meanwhile is published first, as `change` records with cause `recovery`. A new
 *   snapshot is written every `stateIntervalS` and on `stop`, each only once every record made
 *   before it was taken is stored downstream, so a crash at any moment loses no change (some
 *   may be reported twice: once live, once as recovery).
 */

import { setTimeout as sleep } from 'node:timers/promises';
import {
  type InotifyEvent,
  type InotifyTreeOptions,
  InotifyTrees,
  type TreeProgress,
} from '@inotify-ts/inotify';
import { type InotifyRecord, RecordEncoder, type RecordIdentity, recordIdentity } from '@inotify-ts/record';
import {
  bytesOfKey,
  diffSnapshots,
  readSnapshot,
  type Snapshot,
  type SnapshotChange,
  takeSnapshot,
  type WalkOptions,
  writeSnapshot,
} from '@inotify-ts/snapshot';
import type { RecordSink } from './sink.js';
import { snapshotInSlices, walkInSlices } from './slices.js';

export interface TreeShipperOptions {
  /** Directories to watch recursively. */
  readonly roots: readonly string[];
  readonly sink: RecordSink;
  /** Options of the `InotifyTrees` that watches `roots`; its `onProgress` is called too. */
  readonly tree?: InotifyTreeOptions;
  /** Identity of the records (default: this host, this boot, a new instance). */
  readonly identity?: Partial<RecordIdentity>;
  /** Snapshot file for recovery across restarts; keep it outside the watched tree. */
  readonly stateFile?: string;
  /** Seconds between snapshot writes while running; default 60. */
  readonly stateIntervalS?: number;
  /** List the tree after every gap (sink drop, kernel overflow); default `true`. */
  readonly rescanOnGap?: boolean;
  /** How long `stop` waits for the sink to store everything, in ms; default 10,000. */
  readonly stopTimeoutMs?: number;
}

/** What a shipper did so far. */
export interface ShipperStats {
  /** Events read from the tree (delivered or dropped). */
  events: number;
  /** Events dropped because the sink was full. */
  dropped: number;
  /** Gap records made, of every reason. */
  gaps: number;
  /** Full listings made after gaps. */
  rescans: number;
  /** Recovery records made at start. */
  recovered: number;
  /** Snapshots written. */
  statesWritten: number;
}

export class TreeShipper {
  readonly encoder: RecordEncoder;
  readonly tree: InotifyTrees;
  readonly stats: ShipperStats = {
    events: 0,
    dropped: 0,
    gaps: 0,
    rescans: 0,
    recovered: 0,
    statesWritten: 0,
  };
  readonly #sink: RecordSink;
  readonly #options: TreeShipperOptions;
  readonly #recovery: readonly SnapshotChange[];
  readonly #controller = new AbortController();
  readonly #aborted = new Promise<void>((resolve) =>
    this.#controller.signal.addEventListener('abort', () => resolve(), { once: true }),
  );
  /** The snapshot to write at the next save, and `#lossMark()` when its walk started. */
  #pending: { readonly snapshot: Snapshot; readonly mark: number } | undefined;
  #stateTask: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #dropping = 0;
  #overflowWhileDropping = false;
  #treeRescan = false;
  #rescanning: Promise<void> | undefined;
  #rescanAgain = false;
  #stopping = false;
  #saving = false;
  #run: Promise<ShipperStats> | undefined;

  /**
   * Watches `roots` (every directory is watched when this returns) and, with `stateFile`,
   * compares the tree with the last snapshot.
   */
  constructor(options: TreeShipperOptions) {
    this.#options = options;
    this.#sink = options.sink;
    this.encoder = new RecordEncoder(recordIdentity(options.identity));
    const userProgress = options.tree?.onProgress;
    this.tree = new InotifyTrees(options.roots, {
      ...options.tree,
      onProgress: (progress) => {
        this.#treeProgress(progress);
        userProgress?.(progress);
      },
    });
    let recovery: SnapshotChange[] = [];
    if (options.stateFile !== undefined) {
      const before = readSnapshot(options.stateFile);
      // Taken after the watches exist: a change made meanwhile is seen by both, never by none.
      const now = takeSnapshot(this.tree.roots, this.#walkOptions());
      if (before !== undefined) {
        if (before.roots.join('\0') !== now.roots.join('\0')) {
          this.tree.close();
          throw Object.assign(
            new Error(
              `${options.stateFile} is a snapshot of ${before.roots.join(', ')}, not of ${now.roots.join(', ')}: use another state file, or remove it to start without recovery`,
            ),
            { code: 'ERR_SNAPSHOT_ROOTS', path: options.stateFile },
          );
        }
        recovery = diffSnapshots(before, now);
      }
      this.#pending = { snapshot: now, mark: 0 };
    }
    this.#recovery = recovery;
  }

  /**
   * Publishes the recovery records, then every event until `signal` aborts or `stop()` is
   * called; then stops (see `stop`). Resolves with the stats.
   */
  run(signal?: AbortSignal): Promise<ShipperStats> {
    if (this.#run !== undefined) return this.#run;
    signal?.addEventListener('abort', () => this.#controller.abort(), { once: true });
    if (signal?.aborted === true) this.#controller.abort();
    this.#run = this.#main();
    return this.#run;
  }

  /** Ends `run()`: drains what the kernel still holds, then writes the state (see `stop` in the README). */
  async stop(): Promise<ShipperStats> {
    this.#controller.abort();
    return this.run();
  }

  /**
   * Writes the snapshot taken at the last save (or at start) once every record made before
   * now is stored, then takes the next one. Resolves when done; one save at a time.
   */
  saveState(): Promise<void> {
    if (this.#options.stateFile === undefined) return Promise.resolve();
    if (this.#saving) return this.#stateTask; // one at a time: a save waits for the sink
    this.#saving = true;
    this.#stateTask = this.#stateTask.then(async () => {
      const through = this.encoder.lastSeq;
      await this.#sink.whenDelivered(through);
      if (this.#pending !== undefined) this.#writeIfSafe(this.#pending.snapshot, this.#pending.mark);
      if (this.#stopping) return;
      const mark = this.#lossMark();
      this.#pending = { snapshot: await snapshotInSlices(this.tree.roots, this.#walkOptions()), mark };
    });
    this.#stateTask = this.#stateTask.finally(() => {
      this.#saving = false;
    });
    return this.#stateTask;
  }

  /**
   * Resolves once nothing is pending: no drop waiting for its gap record, no listing under way,
   * and every record made so far stored downstream. Events that keep coming keep it waiting.
   */
  async settled(): Promise<void> {
    for (;;) {
      if (this.#rescanning !== undefined) {
        await this.#rescanning;
        continue;
      }
      if (this.#dropping > 0) {
        await sleep(10);
        continue;
      }
      const through = this.encoder.lastSeq;
      await this.#sink.whenDelivered(through);
      if (through === this.encoder.lastSeq && this.#rescanning === undefined && this.#dropping === 0) return;
    }
  }

  async #main(): Promise<ShipperStats> {
    const signal = this.#controller.signal;
    for (const change of this.#recovery) {
      const offered = await this.#background(() =>
        this.encoder.change(
          {
            ...change,
            path: bytesOfKey(change.path),
            ...(change.from === undefined ? {} : { from: bytesOfKey(change.from) }),
          },
          'recovery',
        ),
      );
      if (!offered) break;
      this.stats.recovered++;
    }
    const intervalS = this.#options.stateIntervalS ?? 60;
    if (this.#options.stateFile !== undefined && intervalS > 0) {
      this.#timer = setInterval(() => void this.saveState(), intervalS * 1000);
    }
    try {
      for await (const event of this.tree.events({ signal, terminalEvents: [] })) this.#onEvent(event);
    } catch (error) {
      if (!signal.aborted) {
        clearInterval(this.#timer);
        this.#controller.abort();
        this.tree.close();
        throw error;
      }
    }
    return this.#finish();
  }

  async #finish(): Promise<ShipperStats> {
    this.#stopping = true;
    clearInterval(this.#timer);
    const stopTimeoutMs = this.#options.stopTimeoutMs ?? 10_000;
    await within(this.#stateTask, stopTimeoutMs); // a save waits for the sink
    // The last state: taken first, then everything the kernel queued until then is delivered.
    const mark = this.#lossMark();
    const last =
      this.#options.stateFile === undefined ? undefined : takeSnapshot(this.tree.roots, this.#walkOptions());
    // Until 0.25 s pass without an event; a storm that goes on is cut after 5 s, and then the
    // snapshot is not written (events its walk saw may not have been delivered).
    let drained = true;
    try {
      const signal = AbortSignal.timeout(5000);
      for await (const event of this.tree.events({ timeoutS: 0.25, terminalEvents: [], signal }))
        this.#onEvent(event);
    } catch (error) {
      if ((error as Error).name !== 'TimeoutError') throw error;
      drained = false;
    }
    this.tree.close();
    await this.#rescanning; // ends at once: #background offers nothing once stopped
    if (last !== undefined) {
      const stored = await within(this.#sink.whenDelivered(this.encoder.lastSeq), stopTimeoutMs);
      if (stored && drained) this.#writeIfSafe(last, mark);
    }
    return this.stats;
  }

  /**
   * Counts what makes a snapshot unsafe to write: events dropped, gaps (overflows, rescans),
   * a drop or a listing still under way.
   */
  #lossMark(): number {
    if (this.#dropping > 0 || this.#rescanning !== undefined) return Number.NaN;
    return this.stats.dropped + this.stats.gaps;
  }

  /**
   * Writes `snapshot` unless events were lost since its walk started (`mark`): a lost event's
   * change may be in the snapshot, and then only the older snapshot still on disk lets the next
   * start report it.
   */
  #writeIfSafe(snapshot: Snapshot, mark: number): void {
    if (mark !== this.#lossMark()) return; // NaN never equals: unsafe while a loss is being handled
    writeSnapshot(this.#options.stateFile!, snapshot);
    this.stats.statesWritten++;
  }

  /**
   * How walks (recovery, listings, snapshots) treat the tree: bare names of `ignoredDirs` are not
   * entered, and what cannot be read is skipped, as the tree skips it (the tree reports it, with
   * `onError` and `unreadable()`).
   */
  #walkOptions(): WalkOptions {
    const ignored = this.#options.tree?.ignoredDirs;
    const names = ignored === undefined || typeof ignored === 'function' ? [] : [...ignored];
    return { ignoredDirs: names.filter((name) => !name.includes('/')), onError: skipUnreadable };
  }

  /** One live event: into the sink if it fits, else dropped and counted. Never waits. */
  #onEvent(event: InotifyEvent): void {
    this.stats.events++;
    const overflow = event.typeNames.includes('IN_Q_OVERFLOW');
    if (!this.#live(() => this.encoder.event(event))) {
      if (overflow) this.#overflowWhileDropping = true;
      return;
    }
    if (overflow) {
      this.stats.gaps++;
      this.#rescan();
    }
  }

  /** Offers a live record if the sink has room and is not shedding load; else counts a drop. */
  #live(make: () => InotifyRecord): boolean {
    if (this.#dropping === 0 && this.#sink.space >= 1) {
      this.#sink.offer(make());
      return true;
    }
    if (this.#dropping++ === 0) {
      this.#sink.whenSpace(Math.ceil(this.#sink.capacity / 2)).then(() => this.#endDrop());
    }
    this.stats.dropped++;
    return false;
  }

  /** The sink has room again: say what was lost, then list the tree. */
  #endDrop(): void {
    if (this.#overflowWhileDropping) {
      this.#sink.offer(this.encoder.gap('kernel-overflow'));
      this.stats.gaps++;
      this.#overflowWhileDropping = false;
    }
    this.#sink.offer(this.encoder.gap('sink-dropped', { dropped: this.#dropping }));
    this.stats.gaps++;
    this.#dropping = 0;
    this.#rescan();
  }

  #treeProgress(progress: TreeProgress): void {
    if (progress.reason !== 'rescan') return;
    if (!this.#treeRescan) {
      this.#treeRescan = true;
      if (this.#live(() => this.encoder.gap('rescan-started', { scan: 'watches' }))) this.stats.gaps++;
    }
    if (progress.done) {
      this.#treeRescan = false;
      const count = progress.dirs;
      if (this.#live(() => this.encoder.gap('rescan-finished', { scan: 'watches', count })))
        this.stats.gaps++;
    }
  }

  /** Lists the tree after a gap (once more if another gap comes while it runs). */
  #rescan(): void {
    if (this.#options.rescanOnGap === false) return;
    if (this.#rescanning !== undefined) {
      this.#rescanAgain = true;
      return;
    }
    this.#rescanning = (async () => {
      do {
        this.#rescanAgain = false;
        this.stats.rescans++;
        if (!(await this.#background(() => this.encoder.gap('rescan-started', { scan: 'entries' })))) break;
        const count = await walkInSlices(
          this.tree.roots,
          (key, entry) =>
            this.#background(() =>
              this.encoder.change({ change: 'exists', path: bytesOfKey(key), entry }, 'rescan'),
            ),
          { ...this.#walkOptions(), stopped: () => this.#controller.signal.aborted },
        );
        this.stats.gaps++;
        if (!(await this.#background(() => this.encoder.gap('rescan-finished', { scan: 'entries', count }))))
          break;
        this.stats.gaps++;
      } while (this.#rescanAgain);
      this.#rescanning = undefined;
    })();
  }

  /**
   * Offers a record made by a walk (recovery, rescan): waits, unlike live events, and leaves a
   * quarter of the sink to them (all of it while they are being dropped). The record (and its
   * seq) is made only once it fits. Returns `false`, offering nothing, once `run` was told to stop.
   */
  async #background(make: () => InotifyRecord): Promise<boolean> {
    const reserve = Math.max(1, Math.ceil(this.#sink.capacity / 4));
    const signal = this.#controller.signal;
    while (this.#sink.space < reserve || this.#dropping > 0) {
      if (signal.aborted) return false;
      if (this.#dropping > 0) await sleep(10, undefined, { signal }).catch(() => undefined);
      else await Promise.race([this.#sink.whenSpace(reserve), this.#aborted]);
    }
    this.#sink.offer(make());
    return true;
  }
}

function skipUnreadable(): void {}

/** Whether `promise` settles within `ms` (the timer does not outlive the answer). */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(resolve, ms, false);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
