/**
 * A broker crash in the middle of a storm: nats-server is killed with SIGKILL while the watcher
 * publishes, and started again on the same port and store. The sink reconnects and resends
 * what was not acknowledged; JetStream's duplicate window drops what it already had. The
 * stream then holds every record exactly once: nothing lost, nothing duplicated.
 */
import { describe, expect, it } from 'vitest';
import { dirForEachTest, serverForFile } from './nats-server.js';
import { readBack, startShipping } from './shipping.js';
import { describeEvent, pause, runWorkload, sorted, uniqueInOrder } from './workload.js';

const server = serverForFile();
const dir = dirForEachTest('jetstream-kill-');

describe('a broker killed mid-storm', () => {
  it('loses and duplicates nothing: the sink reconnects and resends, the duplicate window drops resends', async () => {
    const { sink, shipper, running } = await startShipping(server(), dir(), 'KILLED', {
      maxBuffered: 1_000_000, // this test is about the broker, not about shedding load
      ackTimeoutMs: 2000,
    });
    let killedAt = -1;
    let restarted: Promise<void> | undefined;
    const expected = await runWorkload(
      () => shipper.tree.watches().size,
      dir(),
      6000,
      async (i) => {
        // Kill once some records are stored and some are in flight.
        if (killedAt < 0 && sink.stats.acked > 2000 && sink.buffered > 0) {
          killedAt = sink.stats.acked;
          await server().kill9();
          restarted = pause(500).then(() => server().restart());
        }
        if (i === 5999 && killedAt < 0) throw new Error('the storm ended before the broker could be killed');
      },
    );
    await restarted;
    const stats = await shipper.stop();
    await running;
    expect(await sink.close(120_000)).toBe(0);
    expect(killedAt).toBeGreaterThan(0);
    expect(sink.stats.failures).toBeGreaterThan(0); // the kill did hit publishes in flight

    const records = await readBack(server(), 'KILLED');
    const { unique, duplicates } = uniqueInOrder(records);
    expect(duplicates).toBe(0); // the duplicate window dropped every resend
    expect(unique).toHaveLength(shipper.encoder.lastSeq);
    expect(unique.filter((r) => r.kind !== 'event')).toEqual([]);
    expect(sorted(unique.map((r) => describeEvent(dir(), r)!))).toEqual(sorted(expected));
    expect(stats).toMatchObject({ dropped: 0, gaps: 0 });
    console.log(
      `broker killed after ${killedAt} acks; ${sink.stats.failures} publishes failed and were resent, ` +
        `${sink.stats.duplicates} resends were already stored, ${unique.length} records in the stream`,
    );
  });
});
