/**
 * The two-way map between watched paths and watch descriptors.
 *
 * The kernel keeps one watch per inode, so one wd has one path here: adding a second path that
 * resolves to an already watched inode (a symlink, a bind mount, `dir` and `dir/`) returns the
 * same wd, and the wd then reports the newest path. A path whose inode changed (a directory
 * deleted and created again before its `IN_IGNORED` was read) maps to the new wd while the old wd
 * keeps reporting the path until the kernel ends it.
 */
export class WatchTable {
  readonly #wdByPath = new Map<string, number>();
  readonly #pathByWd = new Map<number, string>();

  /** Number of live watches. */
  get size(): number {
    return this.#pathByWd.size;
  }

  /** Records that `path` is watched through `wd`. */
  set(path: string, wd: number): void {
    const previous = this.#pathByWd.get(wd);
    if (previous !== undefined && previous !== path && this.#wdByPath.get(previous) === wd) {
      this.#wdByPath.delete(previous);
    }
    this.#wdByPath.set(path, wd);
    this.#pathByWd.set(wd, path);
  }

  /** The path of `wd`, `undefined` when `wd` is not watched. */
  pathOf(wd: number): string | undefined {
    return this.#pathByWd.get(wd);
  }

  /** The wd of `path`, `undefined` when `path` is not watched. */
  wdOf(path: string): number | undefined {
    return this.#wdByPath.get(path);
  }

  /** Forgets `wd`; returns the path it had, `undefined` when it was not watched. */
  delete(wd: number): string | undefined {
    const path = this.#pathByWd.get(wd);
    if (path === undefined) return undefined;
    this.#pathByWd.delete(wd);
    if (this.#wdByPath.get(path) === wd) this.#wdByPath.delete(path);
    return path;
  }

  /**
   * Rewrites `from` and every path below it to start with `to` instead (a directory moved within
   * a recursive tree). Returns how many watches changed.
   */
  relocate(from: string, to: string): number {
    const prefix = from.endsWith('/') ? from : `${from}/`;
    const moved: [number, string][] = [];
    for (const [wd, path] of this.#pathByWd) {
      if (path === from) moved.push([wd, to]);
      else if (path.startsWith(prefix)) moved.push([wd, to + path.slice(from.length)]);
    }
    for (const [wd] of moved) this.delete(wd);
    for (const [wd, path] of moved) this.set(path, wd);
    return moved.length;
  }

  /** Snapshot of path -> wd. */
  snapshot(): Map<string, number> {
    return new Map(this.#wdByPath);
  }

  /** Every live wd with its path (live view, do not modify the table while iterating). */
  entries(): IterableIterator<[number, string]> {
    return this.#pathByWd.entries();
  }

  /** Forgets everything (the instance was closed). */
  clear(): void {
    this.#wdByPath.clear();
    this.#pathByWd.clear();
  }
}
