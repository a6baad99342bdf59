/**
 * A snapshot: every path under some roots with what `lstat` said about it, taken in one walk.
 */
import path from 'node:path';
import type { SnapshotEntry } from './entry.js';
import { type PathKey, type WalkOptions, walk } from './walk.js';

export interface Snapshot {
  /** The roots walked, absolute. */
  readonly roots: readonly string[];
  /** When the walk started, in milliseconds since the epoch. */
  readonly takenAtMs: number;
  /** Path (as bytes, see `PathKey`) → entry, in walk order. */
  readonly entries: ReadonlyMap<PathKey, SnapshotEntry>;
}

/** Walks `roots` now (synchronously) and returns the snapshot. */
export function takeSnapshot(roots: readonly string[], options: WalkOptions = {}): Snapshot {
  const takenAtMs = Date.now();
  const absolute = roots.map((r) => path.resolve(r));
  return { roots: absolute, takenAtMs, entries: new Map(walk(absolute, options)) };
}
