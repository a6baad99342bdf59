/**
 * `%w`: each event's watch, named as inotifywait names it: the path as it was given (not made
 * absolute), with a `/` after a directory, in the exact bytes of the command line. Inside a
 * recursive tree, a directory is the root's given name followed by the path below the root,
 * which the tree keeps right across moves (inotifywait's can go stale: see the README).
 */
import type { InotifyEvent } from '@inotify-ts/inotify';
import type { PathArg } from './options.js';

const SLASH = Buffer.from('/');

/** The watch names of one watcher. */
export class WatchNames {
  /** Flat watches: the facade's path key -> the name. */
  readonly #flat = new Map<string, Buffer>();
  /** Tree roots: absolute root -> the root as given, with a `/`. */
  readonly #roots = new Map<string, string>();

  /**
   * Names a watch added with `Inotify.addWatch`.
   *
   * @param path - the path as given (its text is the facade's key for it).
   * @param directory - whether it is a directory (a symbolic link is not), for the `/`.
   */
  addFlat(path: PathArg, directory: boolean): void {
    const bytes = path.bytes === undefined ? Buffer.from(path.text) : Buffer.from(path.bytes);
    const slash = directory && bytes[bytes.length - 1] !== 0x2f;
    this.#flat.set(path.text, slash ? Buffer.concat([bytes, SLASH]) : bytes);
  }

  /**
   * Names a tree root.
   *
   * @param absolute - the root as the tree reports it (absolute, normalized).
   * @param given - the root as the command line gave it.
   */
  addRoot(absolute: string, given: string): void {
    this.#roots.set(absolute, given.endsWith('/') ? given : `${given}/`);
  }

  /**
   * The event's `%w`; empty for an overflow.
   *
   * @param event - an event of this watcher.
   */
  of(event: InotifyEvent): Buffer {
    return this.name(event.path, event.header.wd);
  }

  /**
   * The `%w` of a watch.
   *
   * @param path - the path the facade reports for it.
   * @param wd - its watch descriptor; -1 (an overflow) has no name.
   */
  name(path: string, wd: number): Buffer {
    if (wd === -1) return Buffer.alloc(0);
    const flat = this.#flat.get(path);
    if (flat !== undefined) return flat;
    for (const [root, given] of this.#roots) {
      if (path === root) return Buffer.from(given);
      if (path.startsWith(root.endsWith('/') ? root : `${root}/`)) {
        const below = path.slice(root.length).replace(/^\//, '');
        return Buffer.from(`${given}${below}/`);
      }
    }
    return Buffer.from(`${path}/`);
  }
}
