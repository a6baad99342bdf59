/**
 * What a snapshot keeps of one path, from `lstat` (symbolic links are not followed): enough to
 * tell that an entry was created, deleted, changed, or moved (same device and inode, new path).
 * 64-bit numbers are decimal strings, so that no inode or nanosecond time loses precision.
 */
import type { BigIntStats } from 'node:fs';

export type EntryType = 'file' | 'dir' | 'symlink' | 'other';

export interface SnapshotEntry {
  readonly type: EntryType;
  readonly dev: string;
  readonly ino: string;
  readonly size: number;
  readonly mtimeNs: string;
  /**
   * Creation time where the file system keeps one (statx), else `'0'`. With device and inode it
   * tells an entry that moved from a new one that reused a deleted entry's inode.
   */
  readonly birthNs: string;
}

export function entryOf(stats: BigIntStats): SnapshotEntry {
  return {
    type: stats.isFile()
      ? 'file'
      : stats.isDirectory()
        ? 'dir'
        : stats.isSymbolicLink()
          ? 'symlink'
          : 'other',
    dev: String(stats.dev),
    ino: String(stats.ino),
    size: Number(stats.size),
    mtimeNs: String(stats.mtimeNs),
    birthNs: String(stats.birthtimeNs),
  };
}

/** Same device, inode and birth time: the same file system object, wherever it is now. */
export function sameObject(a: SnapshotEntry, b: SnapshotEntry): boolean {
  return a.ino === b.ino && a.dev === b.dev && a.birthNs === b.birthNs;
}

/** Whether the content of a non-directory changed (a directory's own mtime follows its entries). */
export function contentChanged(a: SnapshotEntry, b: SnapshotEntry): boolean {
  return a.type !== 'dir' && (a.size !== b.size || a.mtimeNs !== b.mtimeNs);
}
