/**
 * The walk behind every snapshot: each root and everything below it, depth first, one
 * `readdir` with file types per directory and one `lstat` per entry, symbolic links never
 * followed. Paths are kept as bytes (a "binary" string, one char per byte, so a name that is
 * not UTF-8 survives exactly and the string still works as a map key).
 *
 * It is a generator, so a caller that must not hold the event loop for the whole walk (a live
 * watcher) can take it in slices.
 */
import { Buffer } from 'node:buffer';
import fs from 'node:fs';
import path from 'node:path';
import { entryOf, type SnapshotEntry } from './entry.js';

/** A path as bytes: a string whose every char is one byte (latin1), lossless for any name. */
export type PathKey = string;

/** The path key of a path given as text (UTF-8). */
export function keyOf(p: string): PathKey {
  return Buffer.from(p, 'utf8').toString('latin1');
}

/** The exact bytes of a path key. */
export function bytesOfKey(key: PathKey): Buffer {
  return Buffer.from(key, 'latin1');
}

/** The path key as text (UTF-8, U+FFFD where the bytes are not UTF-8). */
export function textOfKey(key: PathKey): string {
  return bytesOfKey(key).toString('utf8');
}

/** Called for a directory that cannot be listed (EACCES, …); the walk carries on without it. */
export type WalkErrorHandler = (error: NodeJS.ErrnoException) => void;

export interface WalkOptions {
  /** Directory names (bytes as UTF-8 text) not entered, at any depth; they are still listed themselves. */
  readonly ignoredDirs?: Iterable<string>;
  /** Errors of entries that vanish during the walk (ENOENT) are not reported: they are gone. */
  readonly onError?: WalkErrorHandler;
}

/** Yields `[key, entry]` for every root and everything below it. */
export function* walk(
  roots: readonly string[],
  options: WalkOptions = {},
): Generator<[PathKey, SnapshotEntry]> {
  const ignored = new Set<string>();
  for (const name of options.ignoredDirs ?? []) ignored.add(keyOf(name));
  const onError = options.onError;
  const stack: Buffer[] = [];
  for (const root of roots) {
    const rootBytes = Buffer.from(path.resolve(root), 'utf8');
    const stats = lstat(rootBytes, onError);
    if (stats === undefined) continue;
    const entry = entryOf(stats);
    yield [rootBytes.toString('latin1'), entry];
    if (entry.type === 'dir') stack.push(rootBytes);
    while (stack.length > 0) {
      const dir = stack.pop()!;
      let names: fs.Dirent<Buffer>[];
      try {
        names = fs.readdirSync(dir, { withFileTypes: true, encoding: 'buffer' });
      } catch (error) {
        report(error, onError);
        continue;
      }
      const prefix = dir.length === 1 ? dir : Buffer.concat([dir, SLASH]);
      for (const dirent of names) {
        const child = Buffer.concat([prefix, dirent.name]);
        const childStats = lstat(child, onError);
        if (childStats === undefined) continue;
        const childEntry = entryOf(childStats);
        yield [child.toString('latin1'), childEntry];
        if (childEntry.type === 'dir' && !ignored.has(dirent.name.toString('latin1'))) stack.push(child);
      }
    }
  }
}

const SLASH = Buffer.from('/');

function lstat(p: Buffer, onError: WalkErrorHandler | undefined): fs.BigIntStats | undefined {
  try {
    return fs.lstatSync(p, { bigint: true });
  } catch (error) {
    report(error, onError);
    return undefined;
  }
}

function report(error: unknown, onError: WalkErrorHandler | undefined): void {
  const e = error as NodeJS.ErrnoException;
  if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return; // gone (or replaced) during the walk
  if (onError === undefined) throw e;
  onError(e);
}
