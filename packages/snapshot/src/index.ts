/**
 * Tree snapshots for recovery across restarts: what a watcher that was stopped missed. Take a
 * snapshot (device, inode, type, size, mtime per path), write it atomically, and at the next
 * start compare it with the tree: created, deleted, modified, moved (by inode).
 *
 * @packageDocumentation
 */

export { type ChangeKind, diffSnapshots, type SnapshotChange } from './diff.js';
export { type EntryType, entryOf, type SnapshotEntry } from './entry.js';
export { readSnapshot, SNAPSHOT_FORMAT, writeSnapshot } from './file.js';
export { type Snapshot, takeSnapshot } from './snapshot.js';
export {
  bytesOfKey,
  keyOf,
  type PathKey,
  textOfKey,
  type WalkErrorHandler,
  type WalkOptions,
  walk,
} from './walk.js';
