/**
 * Exactly once, end to end: a watcher ships a scripted workload into a real nats-server's
 * JetStream, and a consumer reading the stream back sees every file operation exactly once,
 * with sequence numbers 1..N without a hole, every record valid against the JSON Schema.
 */
import { describe, expect, it } from 'vitest';
import { dirForEachTest, serverForFile } from './nats-server.js';
import { readBack, startShipping } from './shipping.js';
import { describeEvent, runWorkload, sorted, uniqueInOrder } from './workload.js';

const server = serverForFile();
const dir = dirForEachTest('jetstream-');

describe('TreeShipper into JetStream', () => {
  it('delivers every file operation of a workload exactly once, numbered without holes', async () => {
    const { sink, shipper, running } = await startShipping(server(), dir(), 'EXACT');
    const expected = await runWorkload(() => shipper.tree.watches().size, dir(), 1500);
    const stats = await shipper.stop();
    await running;
    expect(await sink.close()).toBe(0);

    const records = await readBack(server(), 'EXACT');
    const { unique, duplicates } = uniqueInOrder(records);
    expect(duplicates).toBe(0);
    expect(records.map((r) => r.seq)).toEqual(unique.map((r) => r.seq)); // stored in order
    expect(unique).toHaveLength(shipper.encoder.lastSeq);
    expect(unique.filter((r) => r.kind !== 'event')).toEqual([]); // no gap: nothing was lost
    expect(sorted(unique.map((r) => describeEvent(dir(), r)!))).toEqual(sorted(expected));
    expect(stats).toMatchObject({ dropped: 0, gaps: 0, rescans: 0 });
    expect(sink.stats).toMatchObject({ acked: unique.length, duplicates: 0, failures: 0 });
  });
});
