import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  maxQueuedEvents,
  openWriteClose,
  producer,
  removeDir,
  sleep,
  tempDir,
  within,
} from '../../test/helpers.js';
import { IN_ATTRIB, IN_CREATE, IN_DELETE_SELF, IN_IGNORED, IN_Q_OVERFLOW, Inotify } from '../index.js';

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => removeDir(dir));

describe.each(['event-loop', 'thread'] as const)('batches() with %s reads', (asyncReads) => {
  it('delivers 50,000 events in order and complete', async () => {
    using i = new Inotify({ asyncReads });
    const wd = i.addWatch(dir, IN_CREATE);
    // Ten refills of the producer's 5,000 (three kernel queues' worth): more proves nothing more.
    const total = 50_000;
    const source = producer(dir, total);
    let received = 0;
    let batches = 0;
    let mismatch: string | undefined;
    for await (const batch of i.batches()) {
      batches++;
      for (let k = 0; k < batch.count; k++, received++) {
        if (
          mismatch === undefined &&
          (batch.wd[k] !== wd || batch.mask[k] !== IN_CREATE || batch.name(k) !== `f${received}`)
        ) {
          mismatch = `record ${received}: wd ${batch.wd[k]} mask ${batch.mask[k]} ${batch.name(k)}`;
        }
      }
      if (source.received(received)) break;
    }
    expect(mismatch).toBeUndefined();
    expect(received).toBe(total);
    expect(batches).toBeLessThan(total);
  }, 300_000); // bounded by its work: a busy machine may take long, the test never fails for it

  it('resolves paths while the batch is held and ends a watch on IN_IGNORED once the iterator advances', async () => {
    const sub = path.join(dir, 'sub');
    fs.mkdirSync(sub);
    using i = new Inotify({ asyncReads });
    const wd = i.addWatch(sub, IN_DELETE_SELF);
    fs.rmdirSync(sub);
    const iterator = i.batches();
    const { value: batch } = await iterator.next();
    expect(batch!.count).toBe(2);
    expect([...batch!.wd]).toEqual([wd, wd]);
    expect([...batch!.mask]).toEqual([IN_DELETE_SELF, IN_IGNORED]);
    expect(i.pathOf(wd)).toBe(sub);
    await iterator.return();
    expect(i.pathOf(wd)).toBeUndefined();
    expect(i.watches().size).toBe(0);
  });

  it('delivers IN_Q_OVERFLOW as a record with wd -1', async () => {
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    openWriteClose(a);
    openWriteClose(b);
    using i = new Inotify({ asyncReads });
    i.addWatch(dir, IN_ATTRIB);
    const max = maxQueuedEvents();
    for (let k = 0; k < max + 100; k++) fs.utimesSync(k % 2 === 0 ? a : b, k, k);
    let records = 0;
    let last: [number, number] | undefined;
    for await (const batch of i.batches()) {
      records += batch.count;
      last = [batch.wd[batch.count - 1]!, batch.mask[batch.count - 1]!];
      if (records >= max + 1) break;
    }
    expect(records).toBe(max + 1);
    expect(last).toEqual([-1, IN_Q_OVERFLOW]);
  });

  it('ends when the instance is closed during a wait', async () => {
    const i = new Inotify({ paths: [dir], asyncReads });
    const next = i.batches().next();
    await sleep(20);
    i.close();
    expect(await within(2000, 'the closed wait', next)).toEqual({ done: true, value: undefined });
  });
});
