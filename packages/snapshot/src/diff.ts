/**
 * What changed between two snapshots of the same roots, as a watcher that had been running
 * would have seen it: created, deleted, modified, and moved (the same device, inode and birth
 * time at a new path). A directory's move is one change: the entries below it moved with it and are not
 * repeated, unless they changed too.
 *
 * Order: deletions (old paths, deepest first), moves, creations (shallowest first), then
 * modifications (new paths), each group sorted (by depth, then bytes) so the order does not
 * depend on the order directories list their entries, and so that a consumer applying them in order never touches a path
 * before its parent exists or after its parent is gone.
 */
import path from 'node:path';
import { contentChanged, type SnapshotEntry, sameObject } from './entry.js';
import type { Snapshot } from './snapshot.js';
import type { PathKey } from './walk.js';

export type ChangeKind = 'created' | 'deleted' | 'modified' | 'moved';

export interface SnapshotChange {
  readonly change: ChangeKind;
  /** The path now (for deleted: where it was), as bytes. */
  readonly path: PathKey;
  /** moved: the path in the old snapshot. */
  readonly from?: PathKey;
  /** The entry now (for deleted: as the old snapshot had it). */
  readonly entry: SnapshotEntry;
}

/** The changes that turn `before` into `after`. */
export function diffSnapshots(before: Snapshot, after: Snapshot): SnapshotChange[] {
  const deleted: PathKey[] = [];
  const created: PathKey[] = [];
  const modified: PathKey[] = [];
  // Old objects that are no longer at their path: candidates for the source of a move.
  const sources = new Map<string, PathKey>();
  for (const [key, old] of before.entries) {
    const now = after.entries.get(key);
    if (now === undefined || !sameObject(old, now)) sources.set(objectKey(old), key);
  }
  const moved = new Map<PathKey, PathKey>(); // new path -> old path
  const usedSources = new Set<PathKey>();
  const others: PathKey[] = []; // new at their path: created, or a replacement
  for (const [key, now] of after.entries) {
    const old = before.entries.get(key);
    if (old !== undefined && sameObject(old, now)) {
      if (contentChanged(old, now)) modified.push(key);
      continue;
    }
    const source = sources.get(objectKey(now));
    const sourceEntry = source === undefined ? undefined : before.entries.get(source);
    if (source !== undefined && sourceEntry !== undefined && sourceEntry.type === now.type) {
      moved.set(key, source);
      usedSources.add(source);
      if (contentChanged(sourceEntry, now)) modified.push(key);
    } else {
      others.push(key);
    }
  }
  // A file replaced in place (a save that renames a new file over the old one) is modified,
  // unless the old one moved away: then the new one was created.
  const replaced = new Set<PathKey>();
  for (const key of others) {
    const old = before.entries.get(key);
    const now = after.entries.get(key)!;
    if (old !== undefined && !usedSources.has(key) && old.type === now.type && now.type !== 'dir') {
      replaced.add(key);
      modified.push(key);
    } else {
      created.push(key);
    }
  }
  for (const [key, old] of before.entries) {
    if (usedSources.has(key) || replaced.has(key)) continue;
    const now = after.entries.get(key);
    if (now === undefined || !sameObject(old, now)) deleted.push(key);
  }
  const changes: SnapshotChange[] = [];
  deleted.sort(deepestFirst);
  for (const key of deleted) changes.push({ change: 'deleted', path: key, entry: before.entries.get(key)! });
  for (const [to, from] of [...moved].sort((a, b) => shallowestFirst(a[0], b[0]))) {
    if (impliedByParent(to, from, moved)) continue;
    changes.push({ change: 'moved', path: to, from, entry: after.entries.get(to)! });
  }
  created.sort(shallowestFirst);
  for (const key of created) changes.push({ change: 'created', path: key, entry: after.entries.get(key)! });
  modified.sort(shallowestFirst);
  for (const key of modified) changes.push({ change: 'modified', path: key, entry: after.entries.get(key)! });
  return changes;
}

function objectKey(e: SnapshotEntry): string {
  return `${e.dev}:${e.ino}:${e.birthNs}`;
}

/** `to` ← `from` is only the consequence of its parent directory's move, with the same name. */
function impliedByParent(to: PathKey, from: PathKey, moved: ReadonlyMap<PathKey, PathKey>): boolean {
  const parentFrom = moved.get(path.posix.dirname(to));
  return (
    parentFrom !== undefined &&
    path.posix.dirname(from) === parentFrom &&
    path.posix.basename(to) === path.posix.basename(from)
  );
}

function depth(key: PathKey): number {
  let n = 0;
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) === 0x2f) n++;
  return n;
}

function deepestFirst(a: PathKey, b: PathKey): number {
  return depth(b) - depth(a) || (a < b ? -1 : a > b ? 1 : 0);
}

function shallowestFirst(a: PathKey, b: PathKey): number {
  return depth(a) - depth(b) || (a < b ? -1 : a > b ? 1 : 0);
}
