import type { DirNode } from './node.js';

/**
 * Directories that left their place (`IN_MOVED_FROM|IN_ISDIR`) and whose `IN_MOVED_TO` has not
 * been seen yet, by cookie.
 *
 * The kernel queues a rename's `IN_MOVED_FROM` and `IN_MOVED_TO` one after the other, and the
 * moved directory's `IN_MOVE_SELF` after both, so a pair may straddle two reads but is complete
 * by the time the queue is empty. A move stays pending until its `IN_MOVED_TO` arrives (a move
 * within the tree), a record arrives from the moved directory or below it first (it left the
 * tree: its `IN_MOVE_SELF` is one), or the tree is idle with the queue empty (it left the tree).
 */
export class PendingMoves {
  readonly #byCookie = new Map<number, DirNode>();

  /** Number of pending moves. */
  get size(): number {
    return this.#byCookie.size;
  }

  /** Records that `node` left its place with `cookie`. */
  add(cookie: number, node: DirNode): void {
    this.#byCookie.set(cookie, node);
  }

  /** The node that left with `cookie`, forgotten; `undefined` if none is pending. */
  take(cookie: number): DirNode | undefined {
    const node = this.#byCookie.get(cookie);
    if (node !== undefined) this.#byCookie.delete(cookie);
    return node;
  }

  /** The pending node that holds `node` (or is it), forgotten; `undefined` if none. */
  takeHolding(node: DirNode): DirNode | undefined {
    for (const [cookie, moved] of this.#byCookie) {
      if (node.within(moved)) {
        this.#byCookie.delete(cookie);
        return moved;
      }
    }
    return undefined;
  }

  /** Every pending node; none is pending afterwards. */
  drain(): DirNode[] {
    const nodes = [...this.#byCookie.values()];
    this.#byCookie.clear();
    return nodes;
  }

  clear(): void {
    this.#byCookie.clear();
  }
}
