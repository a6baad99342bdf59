/**
 * A scripted workload and the check that a stream holds each of its file operations exactly
 * once: creates, writes, renames and deletes across a few directories, done in slices so the
 * watcher in the same process keeps reading, and the exact multiset of events they must give.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { IN_CLOSE_WRITE, IN_CREATE, IN_DELETE, IN_MOVED_FROM, IN_MOVED_TO } from '@inotify-ts/inotify';
import type { InotifyRecord } from '@inotify-ts/record';
import { expect } from 'vitest';
import { RecordDeduplicator } from '../src/index.js';

/** The event bits the workload's checks expect: one record per operation, no reads. */
export const WORKLOAD_MASK = IN_CREATE | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE;

const DIRS = 8;

/**
 * Runs `files` file lifecycles under `root` (file i: created and written in d(i % 8); every
 * third renamed; every fifth deleted) and returns the events they must produce, as
 * "TYPE relative/path" strings. `watched()` says how many directories the watcher watches,
 * `root` included. `afterOp(i)` runs after each one (to kill a broker mid-storm).
 */
export async function runWorkload(
  watched: () => number,
  root: string,
  files: number,
  afterOp?: (i: number) => void | Promise<void>,
): Promise<string[]> {
  const expected: string[] = [];
  for (let d = 0; d < DIRS; d++) {
    fs.mkdirSync(path.join(root, `d${d}`));
    expected.push(`IN_CREATE|IN_ISDIR d${d}`);
  }
  // The tree watches the new directories before files appear in them (else the files would be
  // found by its scan, as synthetic creates, which is also exact but a different stream). Bound
  // by the tree's work, not by a clock: on a busy machine this can take a while.
  await until(() => watched() >= DIRS + 1);
  for (let i = 0; i < files; i++) {
    const dir = `d${i % DIRS}`;
    let name = `f${i}`;
    fs.writeFileSync(path.join(root, dir, name), String(i));
    expected.push(`IN_CREATE ${dir}/${name}`, `IN_CLOSE_WRITE ${dir}/${name}`);
    if (i % 3 === 0) {
      fs.renameSync(path.join(root, dir, name), path.join(root, dir, `g${i}`));
      expected.push(`IN_MOVED_FROM ${dir}/${name}`, `IN_MOVED_TO ${dir}/g${i} from ${dir}/${name}`);
      name = `g${i}`;
    }
    if (i % 5 === 0) {
      fs.unlinkSync(path.join(root, dir, name));
      expected.push(`IN_DELETE ${dir}/${name}`);
    }
    if (i % 50 === 49) await nextTurn();
    await afterOp?.(i);
  }
  return expected;
}

/** Waits `ms`: a settling pause, never a bound on work. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until `done()` holds, looking every few ms; the test's own timeout is the only bound. */
export async function until(done: () => boolean): Promise<void> {
  while (!done()) await pause(5);
}

/** An event record as "TYPES relative/path [from relative/path]". */
export function describeEvent(root: string, record: InotifyRecord): string | undefined {
  if (record.kind !== 'event') return undefined;
  const rel = (p: string, name: string) => path.relative(root, path.join(p, name));
  const from = record.from === undefined ? '' : ` from ${rel(record.from.path, record.from.name)}`;
  return `${record.types.join('|')} ${rel(record.path, record.name)}${from}`;
}

export interface StreamCheck {
  readonly unique: InotifyRecord[];
  readonly duplicates: number;
}

/**
 * Removes duplicates by message id and checks the sequence is gap-free from 1 to the last
 * seq; returns the unique records in seq order.
 */
export function uniqueInOrder(records: readonly InotifyRecord[]): StreamCheck {
  const dedup = new RecordDeduplicator();
  const unique: InotifyRecord[] = [];
  let duplicates = 0;
  for (const r of records) {
    if (dedup.accept(r)) unique.push(r);
    else duplicates++;
  }
  expect(dedup.holes()).toEqual(new Map());
  unique.sort((a, b) => a.seq - b.seq);
  expect(unique.map((r) => r.seq)).toEqual(unique.map((_, k) => k + 1));
  return { unique, duplicates };
}

/** Sorted, for a multiset comparison that prints the difference. */
export function sorted(list: readonly string[]): string[] {
  return [...list].sort();
}
