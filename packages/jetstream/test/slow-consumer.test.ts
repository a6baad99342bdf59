/**
 * A consumer slower than the storm: the broker stops answering (SIGSTOP) while a workload
 * runs, so the sink's buffer fills. The watcher never waits for it: it drops events, counts
 * them, and once the sink has room again writes a `sink-dropped` gap with the count, then lists
 * the whole tree between `rescan-started` and `rescan-finished`. Nothing is lost silently: the
 * listing equals the tree on disk.
 */
import fs from 'node:fs';
import path from 'node:path';
import { takeSnapshot, textOfKey } from '@inotify-ts/snapshot';
import { describe, expect, it } from 'vitest';
import { dirForEachTest, serverForFile } from './nats-server.js';
import { readBack, startShipping } from './shipping.js';
import { runWorkload, uniqueInOrder } from './workload.js';

const server = serverForFile();
const dir = dirForEachTest('jetstream-slow-');

describe('a consumer slower than the storm', () => {
  it('produces a sink-dropped gap with the count and a listing that equals the tree, never silent loss', async () => {
    const { sink, shipper, running } = await startShipping(server(), dir(), 'SLOW', {
      maxBuffered: 400,
      maxInFlight: 16,
      ackTimeoutMs: 1000,
    });
    try {
      await runWorkload(
        () => shipper.tree.watches().size,
        dir(),
        3000,
        (i) => {
          if (i === 100) server().pause();
        },
      );
    } finally {
      server().resume(); // after the workload, so the listing that follows sees the final tree
    }
    await shipper.settled(); // the gap record, the listing, and every record stored
    const stats = await shipper.stop();
    await running;
    expect(await sink.close(120_000)).toBe(0);

    const records = await readBack(server(), 'SLOW');
    const { unique } = uniqueInOrder(records);
    expect(unique).toHaveLength(shipper.encoder.lastSeq);

    const dropGaps = unique.filter((r) => r.kind === 'gap' && r.reason === 'sink-dropped');
    expect(dropGaps.length).toBeGreaterThan(0);
    expect(dropGaps.reduce((n, g) => n + (g.kind === 'gap' ? g.dropped! : 0), 0)).toBe(stats.dropped);
    const events = unique.filter((r) => r.kind === 'event').length;
    expect(events + stats.dropped).toBe(stats.events); // every event read is delivered or counted

    // After the last drop: a listing of the whole tree, bracketed by gap records.
    const lastDrop = unique.lastIndexOf(dropGaps.at(-1)!);
    const started = unique.findIndex(
      (r, k) => k > lastDrop && r.kind === 'gap' && r.reason === 'rescan-started' && r.scan === 'entries',
    );
    const finished = unique.findIndex(
      (r, k) => k > started && r.kind === 'gap' && r.reason === 'rescan-finished' && r.scan === 'entries',
    );
    expect(started).toBeGreaterThan(lastDrop);
    expect(finished).toBeGreaterThan(started);
    const listing = unique.slice(started + 1, finished);
    expect(listing.every((r) => r.kind === 'change' && r.change === 'exists' && r.cause === 'rescan')).toBe(
      true,
    );
    expect(unique[finished]).toMatchObject({ count: listing.length });
    // The workload ended before the listing, so the listing is the tree on disk now.
    const onDisk = [...takeSnapshot([dir()]).entries.keys()].map(textOfKey).sort();
    expect(listing.map((r) => (r.kind === 'change' ? r.path : '')).sort()).toEqual(onDisk);
    expect(onDisk).toContain(path.join(dir(), 'd7', 'f2999'));
    expect(fs.existsSync(path.join(dir(), 'd0', 'f0'))).toBe(false); // deleted by the workload
    console.log(
      `slow consumer: ${stats.events} events, ${stats.dropped} dropped in ${dropGaps.length} gap(s), ` +
        `${stats.rescans} listing(s), last one ${listing.length} entries`,
    );
  });
});
