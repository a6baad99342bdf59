/**
 * Exactly once, end to end: a watcher ships a scripted workload into a real nats-server's
 * JetStream, and a consumer reading the stream back sees every file operation exactly once,
 * with sequence numbers 1..N without a hole, every record valid against the JSON Schema.
 */
import type { InotifyRecord } from '@inotify-ts/record';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { assertValid } from '../../record/test/schema.js';
import { JetStreamSink, readRecords, TreeShipper } from '../src/index.js';
import { dirForEachTest, serverForFile } from './nats-server.js';
import { describeEvent, runWorkload, sorted, uniqueInOrder, WORKLOAD_MASK } from './workload.js';

const server = serverForFile();
const dir = dirForEachTest('jetstream-');

async function readAll(nc: NatsConnection, stream: string): Promise<InotifyRecord[]> {
  const out: InotifyRecord[] = [];
  for await (const { record } of readRecords(nc, stream, { untilCaughtUp: true })) out.push(record);
  return out;
}

describe('TreeShipper into JetStream', () => {
  it('delivers every file operation of a workload exactly once, numbered without holes', async () => {
    const stream = 'EXACT';
    const sink = await JetStreamSink.connect({ servers: server().url, subject: 'fs.exact', stream });
    const shipper = new TreeShipper({ roots: [dir()], sink, tree: { mask: WORKLOAD_MASK } });
    const running = shipper.run();
    const expected = await runWorkload(dir(), 1500);
    const stats = await shipper.stop();
    await running;
    expect(await sink.close()).toBe(0);

    const nc = await connect({ servers: server().url });
    try {
      const records = await readAll(nc, stream);
      assertValid(records);
      const { unique, duplicates } = uniqueInOrder(records);
      expect(duplicates).toBe(0);
      expect(records.map((r) => r.seq)).toEqual(unique.map((r) => r.seq)); // stored in order
      expect(unique).toHaveLength(shipper.encoder.lastSeq);
      expect(unique.filter((r) => r.kind !== 'event')).toEqual([]); // no gap: nothing was lost
      expect(sorted(unique.map((r) => describeEvent(dir(), r)!))).toEqual(sorted(expected));
      expect(stats).toMatchObject({ dropped: 0, gaps: 0, rescans: 0 });
      expect(sink.stats).toMatchObject({ acked: unique.length, duplicates: 0, failures: 0 });
    } finally {
      await nc.close();
    }
  });
});
