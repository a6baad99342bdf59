/**
 * The JSON lines sink (the `--format json` output) behind a real tree: one schema-valid record
 * per line in seq order, and, behind a reader that stops reading, drops counted into a
 * `sink-dropped` gap followed by a listing of the tree, without the watcher ever waiting.
 * Also the consumer's de-duplication on its own.
 */
import { Writable } from 'node:stream';
import type { InotifyRecord } from '@inotify-ts/record';
import { describe, expect, it } from 'vitest';
import { assertValid } from '../../record/test/schema.js';
import { JsonLinesSink, RecordDeduplicator, TreeShipper } from '../src/index.js';
import { dirForEachTest } from './nats-server.js';
import { describeEvent, runWorkload, sorted, uniqueInOrder, until, WORKLOAD_MASK } from './workload.js';

const dir = dirForEachTest('jsonl-');

/** A stream that keeps the lines and calls back each write only once `release()` is called, when held. */
class Collector extends Writable {
  readonly lines: string[] = [];
  held: (() => void)[] | undefined;
  override _write(chunk: Buffer, _: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.lines.push(chunk.toString('utf8'));
    if (this.held === undefined) callback();
    else this.held.push(() => callback());
  }
  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const done of held) done();
  }
  records(): InotifyRecord[] {
    return this.lines.map((line) => {
      expect(line.endsWith('\n') && !line.slice(0, -1).includes('\n')).toBe(true);
      return JSON.parse(line) as InotifyRecord;
    });
  }
}

describe('JsonLinesSink', () => {
  it('writes one schema-valid record per line, numbered without holes, every operation once', async () => {
    const out = new Collector();
    const shipper = new TreeShipper({
      roots: [dir()],
      sink: new JsonLinesSink(out),
      tree: { mask: WORKLOAD_MASK },
    });
    const running = shipper.run();
    const expected = await runWorkload(() => shipper.tree.watches().size, dir(), 300);
    await shipper.stop();
    await running;
    const records = out.records();
    assertValid(records);
    expect(records.map((r) => r.seq)).toEqual(records.map((_, k) => k + 1));
    expect(sorted(records.map((r) => describeEvent(dir(), r)!))).toEqual(sorted(expected));
  });

  it('drops behind a reader that stops reading, then writes the count as a gap and lists the tree', async () => {
    const out = new Collector();
    out.held = [];
    const sink = new JsonLinesSink(out, { maxBuffered: 50 });
    const shipper = new TreeShipper({ roots: [dir()], sink, tree: { mask: WORKLOAD_MASK } });
    const running = shipper.run();
    // The reader is stuck: the watcher goes on regardless. Every event is read (delivered or
    // dropped) before the reader resumes, so that the listing after the gap has no live event
    // among its records.
    const expected = await runWorkload(() => shipper.tree.watches().size, dir(), 200);
    await until(() => shipper.stats.events >= expected.length);
    expect(shipper.stats.events).toBe(expected.length);
    expect(shipper.stats.dropped).toBe(expected.length - 50);
    expect(out.lines.length).toBeLessThanOrEqual(50); // the stream holds the rest, unwritten
    out.release();
    await shipper.settled();
    await shipper.stop();
    await running;
    const { unique } = uniqueInOrder(out.records());
    assertValid(unique);
    const gapAt = unique.findIndex((r) => r.kind === 'gap' && r.reason === 'sink-dropped');
    expect(gapAt).toBe(50); // right after what was taken before the reader stopped
    expect(unique[gapAt]).toMatchObject({ dropped: shipper.stats.dropped });
    expect(unique[gapAt + 1]).toMatchObject({ kind: 'gap', reason: 'rescan-started', scan: 'entries' });
    const finished = unique.findIndex((r) => r.kind === 'gap' && r.reason === 'rescan-finished');
    expect(unique.slice(gapAt + 2, finished).every((r) => r.kind === 'change' && r.change === 'exists')).toBe(
      true,
    );
    expect(unique[finished]).toMatchObject({ count: finished - gapAt - 2 });
    expect(finished - gapAt - 2).toBeGreaterThan(8); // the root, 8 directories and their files
  });
});

describe('RecordDeduplicator', () => {
  it('accepts each host:boot:instance:seq once, in any order, and lists the holes', () => {
    const dedup = new RecordDeduplicator();
    const r = (instance: string, seq: number) => ({ host: 'h', boot: 'b', instance, seq });
    expect([3, 1, 2, 3, 1, 5].map((seq) => dedup.accept(r('i', seq)))).toEqual([
      true,
      true,
      true,
      false,
      false,
      true,
    ]);
    expect(dedup.accept(r('j', 1))).toBe(true); // another instance has its own sequence
    expect(dedup.holes()).toEqual(new Map([['h:b:i', [4]]]));
    expect(dedup.accept(r('i', 4))).toBe(true);
    expect(dedup.holes()).toEqual(new Map());
  });
});
