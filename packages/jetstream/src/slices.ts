/**
 * Walks that share the thread with a live watcher: the walk generator is taken in slices, and
 * between slices the event loop runs (the watcher keeps reading the kernel queue), so a walk of
 * a large tree never holds the reader for its whole length.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  type PathKey,
  type Snapshot,
  type SnapshotEntry,
  type WalkOptions,
  walk,
} from '@inotify-ts/snapshot';

/** Entries walked between two turns of the event loop. */
export const SLICE = 512;

/** Calls `each` for every entry under `roots`, yielding to the event loop every `SLICE` entries. */
export async function walkInSlices(
  roots: readonly string[],
  each: (key: PathKey, entry: SnapshotEntry) => unknown,
  options: WalkOptions & { readonly stopped?: () => boolean } = {},
): Promise<number> {
  let n = 0;
  for (const [key, entry] of walk(roots, options)) {
    if (options.stopped?.() === true) break;
    const pending = each(key, entry);
    if (pending instanceof Promise) await pending;
    if (++n % SLICE === 0) await nextTurn();
  }
  return n;
}

/** A snapshot taken in slices (see `walkInSlices`). */
export async function snapshotInSlices(
  roots: readonly string[],
  options: WalkOptions = {},
): Promise<Snapshot> {
  const takenAtMs = Date.now();
  const entries = new Map<PathKey, SnapshotEntry>();
  await walkInSlices(roots, (key, entry) => void entries.set(key, entry), options);
  return { roots, takenAtMs, entries };
}
