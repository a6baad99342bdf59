/**
 * A tree read through batches() stays as exact as one read through events: the same records in
 * the same order (synthetic ones marked in a `synthetic` column), the same watches.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openWriteClose, removeDir, tempDir } from '../../test/helpers.js';
import {
  expectWatching,
  expectWatchingDisk,
  readTree,
  removeDirs,
  type TreeTuple,
} from '../../test/tree-helpers.js';
import { IN_CLOSE_WRITE, InotifyTree, maskNames, type TreeBatch } from '../index.js';

let dir: string;
let outside: string;
beforeEach(() => {
  [dir, outside] = [tempDir(), tempDir()];
});
afterEach(() => removeDirs(dir, outside));

/** One record of a batch, with its path resolved while the batch is held. */
interface HeldRecord extends TreeTuple {
  readonly batch: number;
}

/** Every record `batches()` yields until `quietMs` passes without a batch. */
async function readBatches(tree: InotifyTree, quietMs = 300): Promise<HeldRecord[]> {
  const records: HeldRecord[] = [];
  const controller = new AbortController();
  let timer = setTimeout(() => controller.abort(), quietMs);
  let n = 0;
  try {
    for await (const batch of tree.batches({ signal: controller.signal })) {
      clearTimeout(timer);
      records.push(...held(tree, batch, n++));
      timer = setTimeout(() => controller.abort(), quietMs);
    }
  } catch (error) {
    if ((error as Error).name !== 'AbortError') throw error;
  } finally {
    clearTimeout(timer);
  }
  return records;
}

function held(tree: InotifyTree, batch: TreeBatch, n: number): HeldRecord[] {
  const out: HeldRecord[] = [];
  for (let i = 0; i < batch.count; i++) {
    const mask = batch.mask[i]!;
    out.push({
      batch: n,
      wd: batch.wd[i]!,
      mask,
      cookie: batch.cookie[i]!,
      len: batch.len[i]!,
      typeNames: [...maskNames(mask)],
      path: tree.pathOf(batch.wd[i]!) ?? '<unwatched>',
      filename: batch.name(i),
      synthetic: batch.synthetic?.[i] === 1,
    });
  }
  return out;
}

/** The same scenario for both APIs: mkdir -p with a file, a move within, a move out, late writes. */
function act(step: number): void {
  if (step === 0) {
    fs.mkdirSync(path.join(dir, 'a', 'b', 'c'), { recursive: true });
    openWriteClose(path.join(dir, 'a', 'b', 'c', 'f'));
  } else if (step === 1) {
    fs.renameSync(path.join(dir, 'a', 'b'), path.join(dir, 'b2'));
    openWriteClose(path.join(dir, 'b2', 'c', 'g'));
  } else {
    fs.renameSync(path.join(dir, 'b2'), path.join(outside, 'b2'));
    openWriteClose(path.join(outside, 'b2', 'c', 'late'));
  }
}

describe('InotifyTree batches()', () => {
  it('yields the same records as eventGen(), synthetic ones marked, and keeps the same watches', async () => {
    const viaEvents: TreeTuple[][] = [];
    {
      using tree = new InotifyTree(dir);
      for (let step = 0; step < 3; step++) {
        act(step);
        viaEvents.push(readTree(tree));
      }
      expectWatching(tree, [dir, path.join(dir, 'a')]);
    }
    removeDir(dir);
    removeDir(outside);
    fs.mkdirSync(dir);
    fs.mkdirSync(outside);
    const viaBatches: HeldRecord[][] = [];
    {
      using tree = new InotifyTree(dir);
      for (let step = 0; step < 3; step++) {
        act(step);
        viaBatches.push(await readBatches(tree));
        if (step === 0) expect(tree.watches().size).toBe(4);
      }
      expectWatching(tree, [dir, path.join(dir, 'a')]);
    }
    const cookies = (list: TreeTuple[]) => list.map((e) => ({ ...e, cookie: e.cookie === 0 ? 0 : 1 }));
    expect(viaBatches.map((list) => cookies(list.map(({ batch: _, ...e }) => e)))).toEqual(
      viaEvents.map(cookies),
    );
    // The scan's synthetic records come in a batch of their own, right after the one that
    // announced the directory.
    const first = viaBatches[0]!;
    expect(first.filter((r) => r.synthetic).map((r) => [r.batch, r.filename])).toEqual([
      [1, 'b'],
      [1, 'c'],
      [1, 'f'],
    ]);
    expect(first[0]!.batch).toBe(0);
    // Nothing from the directory moved out after it left.
    expect(viaBatches[2]!.map((r) => r.typeNames.join('|'))).toEqual([
      'IN_MOVED_FROM|IN_ISDIR',
      'IN_MOVE_SELF',
    ]);
  });

  it('swallows the records the tree watches for but the mask leaves out, in batches() and in events', async () => {
    using tree = new InotifyTree(dir, { mask: IN_CLOSE_WRITE });
    fs.mkdirSync(path.join(dir, 'd', 'e'), { recursive: true });
    expect(await readBatches(tree)).toEqual([]);
    expectWatching(tree, [dir, path.join(dir, 'd'), path.join(dir, 'd', 'e')], IN_CLOSE_WRITE);
    openWriteClose(path.join(dir, 'd', 'e', 'f'));
    fs.renameSync(path.join(dir, 'd'), path.join(dir, 'd2'));
    openWriteClose(path.join(dir, 'd2', 'e', 'g'));
    const records = await readBatches(tree);
    // The read is cut before the rename: each record's path is the one it had when it happened.
    expect(records.map((r) => [r.typeNames, r.path, r.filename, r.synthetic])).toEqual([
      [['IN_CLOSE_WRITE'], path.join(dir, 'd', 'e'), 'f', false],
      [['IN_CLOSE_WRITE'], path.join(dir, 'd2', 'e'), 'g', false],
    ]);
    expectWatchingDisk(tree, IN_CLOSE_WRITE);
    openWriteClose(path.join(dir, 'd2', 'h'));
    fs.mkdirSync(path.join(dir, 'd2', 'new'));
    // Without IN_CREATE in the mask nothing reports the new directory, but it is watched.
    expect(readTree(tree).map((e) => [e.typeNames, e.path, e.filename, e.synthetic])).toEqual([
      [['IN_CLOSE_WRITE'], path.join(dir, 'd2'), 'h', false],
    ]);
    openWriteClose(path.join(dir, 'd2', 'new', 'i'));
    expect(readTree(tree).map((e) => [e.typeNames, e.path, e.filename, e.synthetic])).toEqual([
      [['IN_CLOSE_WRITE'], path.join(dir, 'd2', 'new'), 'i', false],
    ]);
    expectWatchingDisk(tree, IN_CLOSE_WRITE);
  });
});
