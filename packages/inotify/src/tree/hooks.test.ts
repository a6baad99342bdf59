/**
 * The Core hooks added for trees, on a plain Inotify: a batch hook that replaces the batch and
 * splits it (untake), injected batches marked synthetic, and wakeInMs bounding the waits.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../../test/helpers.js';
import { IN_CREATE, Inotify, type InotifyEvent, maskNames, type TreeBatch } from '../index.js';
import { coreOf } from '../inotify.js';
import { selectRecords } from './batch.js';

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => removeDir(dir));

function made(wd: number, filename: string): InotifyEvent {
  return {
    header: { wd, mask: IN_CREATE, cookie: 0, len: 16 },
    typeNames: maskNames(IN_CREATE),
    path: dir,
    filename,
    filenameBytes: Buffer.from(filename),
    synthetic: true,
  };
}

describe('Core hooks for trees', () => {
  it("yields the batch hook's replacement, and after untake() the injected events, then the rest", async () => {
    using i = new Inotify();
    const wd = i.addWatch(dir, IN_CREATE);
    const core = coreOf(i);
    let split = false;
    core.interceptor = {
      batch: (batch) => {
        if ((batch as TreeBatch).synthetic !== undefined || split) return undefined;
        split = true;
        // Keep records 0 and 2 of the first three, put the rest back behind one injected event.
        core.untake(3);
        core.inject([made(wd, 'injected')]);
        return selectRecords(batch, Uint8Array.of(1, 0, 1), 3);
      },
    };
    for (const name of ['a', 'b', 'c', 'd', 'e']) fs.symlinkSync('t', path.join(dir, name));
    const seen: [string, boolean][][] = [];
    for await (const batch of i.batches()) {
      const tb = batch as TreeBatch;
      seen.push(Array.from({ length: tb.count }, (_, k) => [tb.name(k), tb.synthetic?.[k] === 1]));
      if (seen.flat().length >= 5) break; // a, c, injected, d, e
    }
    expect(seen).toEqual([
      [
        ['a', false],
        ['c', false],
      ],
      [['injected', true]],
      [
        ['d', false],
        ['e', false],
      ],
    ]);
  });

  it('runs the idle hook again within wakeInMs although no event arrives', async () => {
    using i = new Inotify();
    i.addWatch(dir, IN_CREATE);
    const core = coreOf(i);
    const idles: number[] = [];
    core.interceptor = {
      idle: () => {
        idles.push(performance.now());
      },
      wakeInMs: () => (idles.length < 3 ? 50 : undefined),
    };
    const start = performance.now();
    for await (const _ of i.events({ timeoutS: 0.4 }));
    expect(idles.length).toBeGreaterThanOrEqual(3);
    expect(idles[2]! - start).toBeLessThan(350);
  });
});
