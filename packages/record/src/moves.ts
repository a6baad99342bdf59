/**
 * Pairs `IN_MOVED_TO` with the `IN_MOVED_FROM` of the same rename (the kernel gives both the
 * same cookie). The `IN_MOVED_FROM` record is emitted when it is read, so the pair is written
 * into the `IN_MOVED_TO` record as its `from`. An entry moved out of everything watched never
 * gets its `IN_MOVED_TO`, so pending sources are bounded: the oldest is forgotten first.
 */
import type { MoveSource } from './types.js';

/** Pending `IN_MOVED_FROM`s kept by default; a rename's two halves are queued back to back. */
export const DEFAULT_PENDING_MOVES = 4096;

export class MovePairs {
  readonly #pending = new Map<number, MoveSource>();
  readonly #limit: number;

  constructor(limit: number = DEFAULT_PENDING_MOVES) {
    this.#limit = limit;
  }

  /** Remembers where the entry of `cookie` came from. */
  from(cookie: number, source: MoveSource): void {
    this.#pending.delete(cookie);
    this.#pending.set(cookie, source);
    if (this.#pending.size > this.#limit) {
      const oldest = this.#pending.keys().next().value as number;
      this.#pending.delete(oldest);
    }
  }

  /** The source of `cookie`, forgotten once paired; `undefined` for an entry moved in from outside. */
  to(cookie: number): MoveSource | undefined {
    const source = this.#pending.get(cookie);
    if (source !== undefined) this.#pending.delete(cookie);
    return source;
  }

  /** Forgets every pending source (after an overflow, a pair may have lost one half). */
  clear(): void {
    this.#pending.clear();
  }

  get size(): number {
    return this.#pending.size;
  }
}
