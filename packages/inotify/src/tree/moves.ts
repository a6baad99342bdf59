import { isWithin } from './paths.js';

/**
 * Directories that left their place (`IN_MOVED_FROM|IN_ISDIR`) and whose `IN_MOVED_TO` has not
 * been seen yet, by cookie.
 *
 * The kernel queues a rename's `IN_MOVED_FROM` and `IN_MOVED_TO` one after the other, so a pair
 * may straddle two reads but is complete by the time the queue is empty. A move stays pending
 * until its `IN_MOVED_TO` arrives (a move within the tree), an event arrives from inside the
 * moved directory first (it left the tree: the `IN_MOVE_SELF` the kernel queues right after an
 * unpaired `IN_MOVED_FROM` is one), or the tree is idle with the queue empty (it left the tree).
 */
export class PendingMoves {
  readonly #byCookie = new Map<number, string>();

  /** Number of pending moves. */
  get size(): number {
    return this.#byCookie.size;
  }

  /** Records that the directory at `path` left with `cookie`. */
  add(cookie: number, path: string): void {
    this.#byCookie.set(cookie, path);
  }

  /** The old path of the move with `cookie`, forgotten; `undefined` if none is pending. */
  take(cookie: number): string | undefined {
    const path = this.#byCookie.get(cookie);
    if (path !== undefined) this.#byCookie.delete(cookie);
    return path;
  }

  /** The old path of a pending move whose directory holds `path` (forgotten), if any. */
  takeHolding(path: string): string | undefined {
    for (const [cookie, dir] of this.#byCookie) {
      if (isWithin(path, dir)) {
        this.#byCookie.delete(cookie);
        return dir;
      }
    }
    return undefined;
  }

  /** Every pending move's old path; none is pending afterwards. */
  drain(): string[] {
    const paths = [...this.#byCookie.values()];
    this.#byCookie.clear();
    return paths;
  }

  clear(): void {
    this.#byCookie.clear();
  }
}
