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

/** No byte above 0x7f: such a byte string is its own UTF-8 (paths hold no NUL). */
const ASCII = /^\p{ASCII}*$/u;

/** The byte string of a path given as a string (its UTF-8 bytes) or as bytes. */
export function byteKey(path: string | Uint8Array): string {
  if (typeof path === 'string') return ASCII.test(path) ? path : Buffer.from(path, 'utf8').toString('latin1');
  return Buffer.from(path.buffer, path.byteOffset, path.byteLength).toString('latin1');
}

/** The path a byte string names, as events report it (UTF-8; invalid bytes as U+FFFD). */
export function displayPath(key: string): string {
  return ASCII.test(key) ? key : Buffer.from(key, 'latin1').toString('utf8');
}

/**
 * What to hand a syscall for a byte string: the string itself when it is ASCII (sent as UTF-8,
 * the same bytes), its bytes otherwise.
 */
export function pathArg(key: string): string | Buffer {
  return ASCII.test(key) ? key : Buffer.from(key, 'latin1');
}

/** The bytes of what a watch watches, as a new `Buffer`; `undefined` for no watch. */
export function bytesOf(entry: Watched | undefined): Buffer | undefined {
  return entry === undefined ? undefined : Buffer.from(entry.bytes, 'latin1');
}

export class Watches {
  readonly #byWd = new Map<number, Watched>();
  /** Watches added by path (not a tree's): byte key -> wd. */
  readonly #byKey = new Map<string, number>();
  #fd: number;

  constructor(fd: number) {
    this.#fd = fd;
  }

  /** Number of live watches. */
  get size(): number {
    return this.#byWd.size;
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
    return this.#byWd.get(wd);
  }

  /** Records that `wd` watches `entry`. */
  set(wd: number, entry: Watched): void {
    const previous = this.#byWd.get(wd);
    if (previous !== undefined && isPathWatch(previous) && this.#byKey.get(previous.bytes) === wd) {
      this.#byKey.delete(previous.bytes);
    }
    this.#byWd.set(wd, entry);
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
    const entry = this.#byWd.get(wd);
    if (entry === undefined) return;
    this.#byWd.delete(wd);
    if (isPathWatch(entry) && this.#byKey.get(entry.bytes) === wd) this.#byKey.delete(entry.bytes);
  }

  /** Every live wd with what it watches (do not modify the table while iterating). */
  entries(): IterableIterator<[number, Watched]> {
    return this.#byWd.entries();
  }

  /** A snapshot of path -> wd, in wd order. */
  snapshot(): Map<string, number> {
    const wds = [...this.#byWd.keys()].sort((a, b) => a - b);
    return new Map(wds.map((wd) => [this.#byWd.get(wd)!.path, wd]));
  }

  /** Forgets everything (the instance was closed). */
  clear(): void {
    this.#byWd.clear();
    this.#byKey.clear();
    this.#fd = -1;
  }
}

function isPathWatch(entry: Watched): entry is PathWatch {
  return (entry as Partial<PathWatch>).byPath === true;
}
