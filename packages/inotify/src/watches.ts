/**
 * The two-way map between watched paths and watch descriptors.
 *
 * The kernel keeps one watch per inode, so one wd has one path here: adding a second path that
 * resolves to an already watched inode (a symlink, a bind mount, `dir` and `dir/`) returns the
 * same wd, and the wd then reports the newest path. A path whose inode changed (a directory
 * deleted and created again before its `IN_IGNORED` was read) maps to the new wd while the old wd
 * keeps reporting the path until the kernel ends it.
 *
 * A tree's start-up walk puts one entry per directory in here, so the table is kept compact: two
 * open-addressing hash tables with linear probing, of one capacity (a power of two, at most
 * three quarters full):
 *
 * - by wd: `#wds` holds the wd of each slot (0: free; the kernel's wds start at 1) and `#paths`
 *   its path, in a slot picked by a multiplicative hash of the wd (the kernel hands wds out in
 *   increasing order: `wd & mask` would make one long run of them, which deletions must scan);
 * - by path: `#byPath` holds the wd a path maps to (0: free), in a slot picked by a hash of the
 *   path, kept in `#hashes` so that a probe compares strings only when the hashes match.
 *
 * 20 bytes per slot besides the path strings, 27 to 53 per watch (the tables are between 3/8 and
 * 3/4 full once grown), where two `Map`s took about twice that, most of it in V8's heap, plus as
 * much again of garbage as they grew. Arming 10,000 directories peaked 2.1 MiB lower.
 */
export class WatchTable {
  #wds: Int32Array = new Int32Array(MIN_CAPACITY);
  #paths: (string | undefined)[] = emptyPaths(MIN_CAPACITY);
  #byPath: Int32Array = new Int32Array(MIN_CAPACITY);
  #hashes: Int32Array = new Int32Array(MIN_CAPACITY);
  #mask = MIN_CAPACITY - 1;
  /** `32 - log2(capacity)`: {@link homeOfWd} keeps the top bits of the product. */
  #shift = 32 - Math.log2(MIN_CAPACITY);
  #size = 0;

  /** Number of live watches. */
  get size(): number {
    return this.#size;
  }

  /** Records that `path` is watched through `wd`. */
  set(path: string, wd: number): void {
    let slot = this.#slotOfWd(wd);
    if (slot < 0) {
      if ((this.#size + 1) * 4 > this.#wds.length * 3) this.#resize(this.#wds.length * 2);
      slot = homeOfWd(wd, this.#shift);
      while (this.#wds[slot] !== 0) slot = (slot + 1) & this.#mask;
      this.#wds[slot] = wd;
      this.#size++;
    } else {
      const previous = this.#paths[slot]!;
      if (previous !== path) this.#unindex(previous, wd);
    }
    this.#paths[slot] = path;
    this.#index(path, wd);
  }

  /** The path of `wd`, `undefined` when `wd` is not watched. */
  pathOf(wd: number): string | undefined {
    const slot = this.#slotOfWd(wd);
    return slot < 0 ? undefined : this.#paths[slot];
  }

  /** The wd of `path`, `undefined` when `path` is not watched. */
  wdOf(path: string): number | undefined {
    const slot = this.#slotOfPath(path, hashPath(path));
    return slot < 0 ? undefined : this.#byPath[slot];
  }

  /** Forgets `wd`; returns the path it had, `undefined` when it was not watched. */
  delete(wd: number): string | undefined {
    const slot = this.#slotOfWd(wd);
    if (slot < 0) return undefined;
    const path = this.#paths[slot]!;
    this.#unindex(path, wd);
    this.#removeWdSlot(slot);
    this.#size--;
    if (this.#wds.length > MIN_CAPACITY && this.#size * 8 < this.#wds.length) {
      this.#resize(this.#wds.length / 2);
    }
    return path;
  }

  /**
   * Rewrites `from` and every path below it to start with `to` instead (a directory moved within
   * a recursive tree); a path two wds report maps to the same one of them as before. Returns how
   * many watches changed.
   */
  relocate(from: string, to: string): number {
    const prefix = from.endsWith('/') ? from : `${from}/`;
    const moved: [number, string][] = [];
    const shadowed: [number, string][] = [];
    for (const [wd, path] of this.entries()) {
      if (path !== from && !path.startsWith(prefix)) continue;
      (this.wdOf(path) === wd ? moved : shadowed).push([wd, to + path.slice(from.length)]);
    }
    for (const [wd] of shadowed) this.delete(wd);
    for (const [wd] of moved) this.delete(wd);
    for (const [wd, path] of shadowed) this.set(path, wd);
    for (const [wd, path] of moved) this.set(path, wd);
    return moved.length + shadowed.length;
  }

  /** Snapshot of path -> wd, in wd order. */
  snapshot(): Map<string, number> {
    const wds: number[] = [];
    for (const wd of this.#byPath) if (wd !== 0) wds.push(wd);
    wds.sort((a, b) => a - b);
    return new Map(wds.map((wd) => [this.pathOf(wd)!, wd]));
  }

  /** Every live wd with its path (live view, do not modify the table while iterating). */
  *entries(): IterableIterator<[number, string]> {
    const wds = this.#wds;
    for (let slot = 0; slot < wds.length; slot++) {
      if (wds[slot] !== 0) yield [wds[slot]!, this.#paths[slot]!];
    }
  }

  /** Forgets everything (the instance was closed). */
  clear(): void {
    this.#wds = new Int32Array(MIN_CAPACITY);
    this.#paths = emptyPaths(MIN_CAPACITY);
    this.#byPath = new Int32Array(MIN_CAPACITY);
    this.#hashes = new Int32Array(MIN_CAPACITY);
    this.#mask = MIN_CAPACITY - 1;
    this.#shift = 32 - Math.log2(MIN_CAPACITY);
    this.#size = 0;
  }

  /** The slot of `wd` in `#wds`, -1 if absent. */
  #slotOfWd(wd: number): number {
    const wds = this.#wds;
    const mask = this.#mask;
    for (let slot = homeOfWd(wd, this.#shift); ; slot = (slot + 1) & mask) {
      const found = wds[slot];
      if (found === wd) return slot;
      if (found === 0) return -1;
    }
  }

  /** The slot of `path` in `#byPath`, -1 if absent. */
  #slotOfPath(path: string, hash: number): number {
    const byPath = this.#byPath;
    const hashes = this.#hashes;
    const mask = this.#mask;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const wd = byPath[slot]!;
      if (wd === 0) return -1;
      if (hashes[slot] === hash && this.pathOf(wd) === path) return slot;
    }
  }

  /** Makes `path` map to `wd` (whose path it is now). */
  #index(path: string, wd: number): void {
    const hash = hashPath(path);
    let slot = this.#slotOfPath(path, hash);
    if (slot < 0) {
      slot = hash & this.#mask;
      while (this.#byPath[slot] !== 0) slot = (slot + 1) & this.#mask;
      this.#hashes[slot] = hash;
    }
    this.#byPath[slot] = wd;
  }

  /** Takes `path` out of the index if it maps to `wd` (whose path it still is). */
  #unindex(path: string, wd: number): void {
    const slot = this.#slotOfPath(path, hashPath(path));
    if (slot < 0 || this.#byPath[slot] !== wd) return;
    // Backward-shift deletion: move up each later entry of the run whose home slot is not
    // cyclically within (free, entry], so that every probe still finds it.
    const byPath = this.#byPath;
    const hashes = this.#hashes;
    const mask = this.#mask;
    let free = slot;
    for (let next = (free + 1) & mask; byPath[next] !== 0; next = (next + 1) & mask) {
      if (((next - (hashes[next]! & mask)) & mask) >= ((next - free) & mask)) {
        byPath[free] = byPath[next]!;
        hashes[free] = hashes[next]!;
        free = next;
      }
    }
    byPath[free] = 0;
    hashes[free] = 0;
  }

  /** Frees slot `slot` of `#wds`, with the same backward shift. */
  #removeWdSlot(slot: number): void {
    const wds = this.#wds;
    const paths = this.#paths;
    const mask = this.#mask;
    const shift = this.#shift;
    let free = slot;
    for (let next = (free + 1) & mask; wds[next] !== 0; next = (next + 1) & mask) {
      if (((next - homeOfWd(wds[next]!, shift)) & mask) >= ((next - free) & mask)) {
        wds[free] = wds[next]!;
        paths[free] = paths[next];
        free = next;
      }
    }
    wds[free] = 0;
    paths[free] = undefined;
  }

  /** Moves everything into tables of `capacity` slots. */
  #resize(capacity: number): void {
    const wds = this.#wds;
    const paths = this.#paths;
    const byPath = this.#byPath;
    const hashes = this.#hashes;
    this.#wds = new Int32Array(capacity);
    this.#paths = emptyPaths(capacity);
    this.#byPath = new Int32Array(capacity);
    this.#hashes = new Int32Array(capacity);
    const mask = capacity - 1;
    const shift = 32 - Math.log2(capacity);
    this.#mask = mask;
    this.#shift = shift;
    for (let old = 0; old < wds.length; old++) {
      const wd = wds[old]!;
      if (wd !== 0) {
        let slot = homeOfWd(wd, shift);
        while (this.#wds[slot] !== 0) slot = (slot + 1) & mask;
        this.#wds[slot] = wd;
        this.#paths[slot] = paths[old];
      }
      const mapped = byPath[old]!;
      if (mapped !== 0) {
        let slot = hashes[old]! & mask;
        while (this.#byPath[slot] !== 0) slot = (slot + 1) & mask;
        this.#byPath[slot] = mapped;
        this.#hashes[slot] = hashes[old]!;
      }
    }
  }
}

/** Slots of a new table (a power of two). */
const MIN_CAPACITY = 16;

function emptyPaths(capacity: number): (string | undefined)[] {
  return new Array<string | undefined>(capacity).fill(undefined);
}

/** The home slot of `wd`: Fibonacci hashing (the top bits of `wd` times 2^32 / golden ratio). */
function homeOfWd(wd: number, shift: number): number {
  return Math.imul(wd, 0x9e3779b1) >>> shift;
}

/** FNV-1a over the UTF-16 code units of `path`. */
function hashPath(path: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) hash = Math.imul(hash ^ path.charCodeAt(i), 0x01000193);
  return hash | 0;
}
