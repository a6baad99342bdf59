/**
 * A snapshot on disk: one JSON document, replaced atomically (written to a temporary file in
 * the same directory, flushed to disk, renamed over the old one, directory flushed), so a
 * watcher killed at any moment leaves either the old snapshot or the new one, never half of one.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { EntryType, SnapshotEntry } from './entry.js';
import type { Snapshot } from './snapshot.js';

/** The file format's version; `readSnapshot` refuses any other. */
export const SNAPSHOT_FORMAT = 1;

/** One entry on disk: [path as a byte string, type, dev, ino, size, mtimeNs, birthNs]. */
type Row = [string, EntryType, string, string, number, string, string];

interface SnapshotFile {
  readonly format: number;
  readonly roots: readonly string[];
  readonly takenAtMs: number;
  readonly entries: readonly Row[];
}

/** Writes `snapshot` to `file` atomically. Throws Node's own fs errors (code, errno, syscall, path). */
export function writeSnapshot(file: string, snapshot: Snapshot): void {
  const rows: Row[] = [];
  for (const [key, e] of snapshot.entries)
    rows.push([key, e.type, e.dev, e.ino, e.size, e.mtimeNs, e.birthNs]);
  const body: SnapshotFile = {
    format: SNAPSHOT_FORMAT,
    roots: snapshot.roots,
    takenAtMs: snapshot.takenAtMs,
    entries: rows,
  };
  const dir = path.dirname(path.resolve(file));
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  const fd = fs.openSync(temp, 'w', 0o600);
  try {
    fs.writeSync(fd, JSON.stringify(body));
    fs.fsyncSync(fd);
  } catch (error) {
    fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw error;
  }
  fs.closeSync(fd);
  fs.renameSync(temp, file);
  const dirFd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(dirFd);
  } finally {
    fs.closeSync(dirFd);
  }
}

/**
 * Reads a snapshot written by `writeSnapshot`; `undefined` when `file` does not exist (the
 * first run). A file that is not a snapshot throws `ERR_SNAPSHOT_INVALID` naming the file.
 */
export function readSnapshot(file: string): Snapshot | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let body: SnapshotFile;
  try {
    body = JSON.parse(text) as SnapshotFile;
  } catch (error) {
    throw invalid(file, `it is not JSON (${(error as Error).message})`);
  }
  if (body?.format !== SNAPSHOT_FORMAT || !Array.isArray(body.entries) || !Array.isArray(body.roots)) {
    throw invalid(file, `it is not a snapshot of format ${SNAPSHOT_FORMAT}`);
  }
  const entries = new Map<string, SnapshotEntry>();
  for (const [key, type, dev, ino, size, mtimeNs, birthNs] of body.entries) {
    entries.set(key, { type, dev, ino, size, mtimeNs, birthNs });
  }
  return { roots: body.roots, takenAtMs: body.takenAtMs, entries };
}

function invalid(file: string, why: string): Error {
  return Object.assign(
    new Error(`${file} cannot be used as a snapshot: ${why}; remove it to start without one`),
    { code: 'ERR_SNAPSHOT_INVALID', path: file },
  );
}
