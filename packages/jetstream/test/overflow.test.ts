/**
 * A real kernel queue overflow under a shipper: the overflow becomes a `kernel-overflow` gap
 * record, the tree's own rescan of its watches is bracketed by gap records with scan
 * `watches`, and a listing of the tree (scan `entries`) follows, equal to the tree on disk.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { InotifyRecord } from '@inotify-ts/record';
import { takeSnapshot, textOfKey } from '@inotify-ts/snapshot';
import { describe, expect, it } from 'vitest';
import { assertValid } from '../../record/test/schema.js';
import { JsonLinesSink, TreeShipper } from '../src/index.js';
import { dirForEachTest } from './nats-server.js';
import { uniqueInOrder } from './workload.js';

const dir = dirForEachTest('overflow-');

describe('a kernel queue overflow under a shipper', () => {
  it('is a kernel-overflow gap, then the tree rescans its watches and the shipper lists the tree', async () => {
    const lines: string[] = [];
    const out = new Writable({
      write(chunk: Buffer, _, callback) {
        lines.push(chunk.toString('utf8'));
        callback();
      },
    });
    fs.mkdirSync(path.join(dir(), 'sub'));
    const a = path.join(dir(), 'a');
    const b = path.join(dir(), 'b');
    fs.writeFileSync(a, '');
    fs.writeFileSync(b, '');
    const shipper = new TreeShipper({
      roots: [dir()],
      sink: new JsonLinesSink(out, { maxBuffered: 1_000_000 }),
      tree: { rescanIntervalS: 0 },
    });
    const running = shipper.run();
    // This loop holds the thread, so the shipper reads nothing until it ends: the queue overflows.
    const limit = Number(fs.readFileSync('/proc/sys/fs/inotify/max_queued_events', 'utf8'));
    for (let k = 0; k < limit + 100; k++) fs.utimesSync(k % 2 === 0 ? a : b, k, k);
    fs.mkdirSync(path.join(dir(), 'unseen')); // made while the queue is full: only a rescan finds it
    const rescanned = () => lines.some((l) => l.includes('"reason":"rescan-finished","scan":"watches"'));
    for (let polls = 0; polls < 400 && !rescanned(); polls++) await new Promise((r) => setTimeout(r, 50));
    await shipper.settled();
    expect(shipper.tree.watches().has(path.join(dir(), 'unseen'))).toBe(true); // the tree's rescan found it
    await shipper.stop();
    await running;

    const { unique } = uniqueInOrder(lines.map((line) => JSON.parse(line) as InotifyRecord));
    assertValid(unique);
    const gaps = unique
      .filter((r) => r.kind === 'gap')
      .map((r) => (r.kind === 'gap' ? `${r.reason} ${r.scan ?? ''}` : ''));
    expect(gaps.filter((g) => g.startsWith('kernel-overflow'))).toHaveLength(1);
    expect(gaps.indexOf('kernel-overflow ')).toBeLessThan(gaps.indexOf('rescan-started entries'));
    expect(gaps).toContain('rescan-started watches');
    expect(gaps.indexOf('rescan-started watches')).toBeLessThan(gaps.indexOf('rescan-finished watches'));
    const started = unique.findIndex(
      (r) => r.kind === 'gap' && r.reason === 'rescan-started' && r.scan === 'entries',
    );
    const finished = unique.findIndex(
      (r) => r.kind === 'gap' && r.reason === 'rescan-finished' && r.scan === 'entries',
    );
    const listing = unique
      .slice(started + 1, finished)
      .filter((r) => r.kind === 'change')
      .map((r) => (r.kind === 'change' ? r.path : ''));
    expect(listing.sort()).toEqual([...takeSnapshot([dir()]).entries.keys()].map(textOfKey).sort());
    expect(listing).toContain(path.join(dir(), 'unseen'));
  });
});
