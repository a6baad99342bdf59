/**
 * The one owner of an instance's watches: it alone calls `inotify_add_watch`/`inotify_rm_watch`
 * and keeps the table from wd to what the wd watches. `Inotify` and recursive trees both go
 * through it, so the table always says what the kernel holds.
 *
 * Paths are kept as their exact bytes, held in "byte strings": one char per byte (latin1), so
 * two names that differ only in bytes that are not UTF-8 stay two keys. {@link displayPath}
 * turns such a key into the string events report (UTF-8, invalid bytes as U+FFFD).
 */
import * as sys from '@inotify-ts/syscall';
import { codeOf } from './errors.js';

/** What one wd watches. */
export interface Watched {
  /** The path as events report it. */
  readonly path: string;
  /** The path's exact bytes, as a byte string. */
  readonly bytes: string;
}

/** A watch added through `Inotify.addWatch()`: the path it was added with. */
export interface PathWatch extends Watched {
  /** Marks the watches `Inotify.addWatch()` added, which are also found by path. */
  readonly byPath: true;
}

/** A char above 0x7f: a byte string without one is its own UTF-8. */
const NON_ASCII = /[\u0080-\uffff]/;

/** The byte string of a path given as a string (its UTF-8 bytes) or as bytes. */
export function byteKey(path: string | Uint8Array): string {
  if (typeof path === 'string')
    return !NON_ASCII.test(path) ? path : Buffer.from(path, 'utf8').toString('latin1');
  return Buffer.from(path.buffer, path.byteOffset, path.byteLength).toString('latin1');
}

/** The path a byte string names, as events report it (UTF-8; invalid bytes as U+FFFD). */
export function displayPath(key: string): string {
  return !NON_ASCII.test(key) ? key : Buffer.from(key, 'latin1').toString('utf8');
}

/**
 * What to hand a syscall for a byte string: the string itself when it is ASCII (sent as UTF-8,
 * the same bytes), its bytes otherwise.
 */
export function pathArg(key: string): string | Buffer {
  return !NON_ASCII.test(key) ? key : Buffer.from(key, 'latin1');
}

/** The bytes of what a watch watches, as a new `Buffer`; `undefined` for no watch. */
export function bytesOf(entry: Watched | undefined): Buffer | undefined {
  return entry === undefined ? undefined : Buffer.from(entry.bytes, 'latin1');
}

export class Watches {
  /**
   * By wd, below {@link DENSE_WDS}: the kernel hands an instance's wds out in increasing order,
   * so a tree's start-up walk fills this array densely (a pointer per watch, where a `Map` takes
   * about five words and grows by rehashing: arming 10,000 directories peaked 2 MiB lower).
   */
  readonly #byWd: (Watched | undefined)[] = [];
  /** Wds from {@link DENSE_WDS} on (an instance that has added that many watches over its life). */
  #far: Map<number, Watched> | null = null;
  #size = 0;
  /** Watches added by path (not a tree's): byte key -> wd. */
  readonly #byKey = new Map<string, number>();
  #fd: number;

  constructor(fd: number) {
    this.#fd = fd;
  }

  /** Number of live watches. */
  get size(): number {
    return this.#size;
  }

  /**
   * `inotify_add_watch(path, mask)`; the caller records what the returned wd watches with
   * {@link set} (it may be a wd the table holds already: the kernel keeps one watch per inode).
   * @throws {InotifyError} the kernel's error.
   */
  add(path: string | Uint8Array, mask: number): number {
    return sys.addWatch(this.#fd, path, mask);
  }

  /** What `wd` watches, `undefined` when it is not watched. */
  get(wd: number): Watched | undefined {
    return wd < DENSE_WDS ? this.#byWd[wd] : this.#far?.get(wd);
  }

  /** Records that `wd` watches `entry`. */
  set(wd: number, entry: Watched): void {
    const previous = this.get(wd);
    if (previous === undefined) this.#size++;
    else if (isPathWatch(previous) && this.#byKey.get(previous.bytes) === wd)
      this.#byKey.delete(previous.bytes);
    if (wd < DENSE_WDS) this.#byWd[wd] = entry;
    else (this.#far ??= new Map()).set(wd, entry);
    if (isPathWatch(entry)) this.#byKey.set(entry.bytes, wd);
  }

  /** The wd of a path added with `Inotify.addWatch()`, by its byte key. */
  wdOfKey(key: string): number | undefined {
    return this.#byKey.get(key);
  }

  /**
   * Ends the watch `wd` (`inotify_rm_watch`) and forgets it. EINVAL (the kernel ended it
   * already: its `IN_IGNORED` is queued) is not an error.
   * @throws {InotifyError} any other error of the kernel.
   */
  remove(wd: number): void {
    this.end(wd);
    this.forget(wd);
  }

  /**
   * Ends the watch `wd` (`inotify_rm_watch`) but keeps it in the table until {@link forget}: a
   * batch handed out may still resolve it. EINVAL is not an error, as for {@link remove}.
   */
  end(wd: number): void {
    try {
      sys.rmWatch(this.#fd, wd);
    } catch (error) {
      if (codeOf(error) !== 'EINVAL') throw error;
    }
  }

  /** Forgets `wd` without a syscall (its `IN_IGNORED` was delivered). */
  forget(wd: number): void {
    const entry = this.get(wd);
    if (entry === undefined) return;
    if (wd < DENSE_WDS) this.#byWd[wd] = undefined;
    else this.#far!.delete(wd);
    this.#size--;
    if (isPathWatch(entry) && this.#byKey.get(entry.bytes) === wd) this.#byKey.delete(entry.bytes);
  }

  /** Every live wd with what it watches (do not modify the table while iterating). */
  *entries(): IterableIterator<[number, Watched]> {
    const byWd = this.#byWd;
    for (let wd = 1; wd < byWd.length; wd++) if (byWd[wd] !== undefined) yield [wd, byWd[wd]!];
    if (this.#far !== null) yield* [...this.#far].sort((a, b) => a[0] - b[0]);
  }

  /** A snapshot of path -> wd, in wd order. */
  snapshot(): Map<string, number> {
    const snapshot = new Map<string, number>();
    const byWd = this.#byWd;
    for (let wd = 1; wd < byWd.length; wd++) {
      const entry = byWd[wd];
      if (entry !== undefined) snapshot.set(entry.path, wd);
    }
    if (this.#far !== null)
      for (const [wd, entry] of [...this.#far].sort((a, b) => a[0] - b[0])) snapshot.set(entry.path, wd);
    return snapshot;
  }

  /** Forgets everything (the instance was closed). */
  clear(): void {
    this.#byWd.length = 0;
    this.#far = null;
    this.#size = 0;
    this.#byKey.clear();
    this.#fd = -1;
  }
}

/** Wds kept in the array: at most 512 KiB of it. */
const DENSE_WDS = 1 << 16;

function isPathWatch(entry: Watched): entry is PathWatch {
  return (entry as Partial<PathWatch>).byPath === true;
}
