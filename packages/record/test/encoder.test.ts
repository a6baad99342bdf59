/**
 * The encoder against the real kernel: events read by an InotifyTree become records that the
 * JSON Schema accepts, with the producer's identity, gap-free sequence numbers, moves paired by
 * cookie, names that are not UTF-8 kept as base64, and overflow as an explicit gap.
 */
import { Buffer } from 'node:buffer';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  IN_ALL_EVENTS,
  IN_CLOSE_NOWRITE,
  IN_OPEN,
  type InotifyEvent,
  InotifyTree,
} from '@inotify-ts/inotify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  bootId,
  bytesOf,
  type InotifyRecord,
  messageId,
  RecordEncoder,
  recordIdentity,
} from '../src/index.js';
import { assertValid, schemaErrors } from './schema.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'record-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const identity = { host: 'h1', boot: 'b1', instance: 'i1' };
const fixedNow = () => Date.UTC(2026, 0, 2, 3, 4, 5, 678);
const MASK = IN_ALL_EVENTS & ~(IN_OPEN | IN_CLOSE_NOWRITE | 0x1); // no reads (IN_ACCESS is 0x1)

function drain(tree: InotifyTree): InotifyEvent[] {
  const out: InotifyEvent[] = [];
  for (const e of tree.eventGen({ timeoutS: 0.3, yieldNones: false, terminalEvents: [] })) out.push(e!);
  return out;
}

describe('RecordEncoder on real kernel events', () => {
  it('makes one schema-valid event record per event, numbered 1, 2, 3 without holes', () => {
    const tree = new InotifyTree(dir, { mask: MASK });
    try {
      fs.writeFileSync(path.join(dir, 'f'), 'x');
      const encoder = new RecordEncoder(identity, { now: fixedNow });
      const records = drain(tree).map((e) => encoder.event(e));
      assertValid(records);
      expect(records).toEqual([
        {
          v: 1,
          kind: 'event',
          host: 'h1',
          boot: 'b1',
          instance: 'i1',
          seq: 1,
          time: '2026-01-02T03:04:05.678Z',
          wd: 1,
          mask: 0x100,
          cookie: 0,
          types: ['IN_CREATE'],
          path: dir,
          name: 'f',
          synthetic: false,
        },
        expect.objectContaining({ seq: 2, types: ['IN_MODIFY'], name: 'f' }),
        expect.objectContaining({ seq: 3, types: ['IN_CLOSE_WRITE'], name: 'f' }),
      ]);
      expect(encoder.lastSeq).toBe(3);
    } finally {
      tree.close();
    }
  });

  it('pairs an IN_MOVED_TO with its IN_MOVED_FROM by cookie and names the source record', () => {
    fs.mkdirSync(path.join(dir, 'a'));
    fs.writeFileSync(path.join(dir, 'a', 'old'), '');
    const tree = new InotifyTree(dir, { mask: MASK });
    try {
      fs.renameSync(path.join(dir, 'a', 'old'), path.join(dir, 'new'));
      const encoder = new RecordEncoder(identity, { now: fixedNow });
      const records = drain(tree).map((e) => encoder.event(e));
      assertValid(records);
      expect(records).toHaveLength(2);
      const [from, to] = records as [InotifyRecord, InotifyRecord];
      expect(from).toMatchObject({
        seq: 1,
        types: ['IN_MOVED_FROM'],
        path: path.join(dir, 'a'),
        name: 'old',
      });
      expect(to).toMatchObject({
        seq: 2,
        types: ['IN_MOVED_TO'],
        path: dir,
        name: 'new',
        from: { seq: 1, path: path.join(dir, 'a'), name: 'old' },
      });
      expect(
        to.kind === 'event' && from.kind === 'event' && to.cookie === from.cookie && to.cookie !== 0,
      ).toBe(true);
    } finally {
      tree.close();
    }
  });

  it('leaves an IN_MOVED_TO from outside the tree without a source', () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'record-outside-'));
    const tree = new InotifyTree(dir, { mask: MASK });
    try {
      fs.writeFileSync(path.join(outside, 'x'), '');
      fs.renameSync(path.join(outside, 'x'), path.join(dir, 'x'));
      const encoder = new RecordEncoder(identity, { now: fixedNow });
      const records = drain(tree).map((e) => encoder.event(e));
      assertValid(records);
      expect(records).toEqual([expect.objectContaining({ seq: 1, types: ['IN_MOVED_TO'], name: 'x' })]);
      expect(records[0]).not.toHaveProperty('from');
    } finally {
      tree.close();
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it('keeps the exact bytes of a name that is not UTF-8 as base64 beside the lossy text', () => {
    const tree = new InotifyTree(dir, { mask: MASK });
    try {
      const name = Buffer.from([0x62, 0xff, 0xfe, 0x2e, 0x74]); // "b", two invalid bytes, ".t"
      fs.writeFileSync(Buffer.concat([Buffer.from(`${dir}/`), name]), '');
      const encoder = new RecordEncoder(identity, { now: fixedNow });
      const records = drain(tree).map((e) => encoder.event(e));
      assertValid(records);
      expect(records[0]).toMatchObject({
        types: ['IN_CREATE'],
        name: 'b\ufffd\ufffd.t',
        nameB64: 'Yv/+LnQ=',
      });
      const first = records[0]!;
      expect(first.kind === 'event' && bytesOf(first.name, first.nameB64).equals(name)).toBe(true);
    } finally {
      tree.close();
    }
  });

  it('turns a real kernel queue overflow into a kernel-overflow gap record', () => {
    fs.writeFileSync(path.join(dir, 'a'), '');
    fs.writeFileSync(path.join(dir, 'b'), '');
    const tree = new InotifyTree(dir, { mask: MASK });
    try {
      const limit = Number(fs.readFileSync('/proc/sys/fs/inotify/max_queued_events', 'utf8'));
      for (let k = 0; k < limit + 100; k++) fs.utimesSync(path.join(dir, k % 2 === 0 ? 'a' : 'b'), k, k);
      const encoder = new RecordEncoder(identity, { now: fixedNow });
      const records = drain(tree).map((e) => encoder.event(e));
      assertValid(records);
      const gaps = records.filter((r) => r.kind === 'gap');
      expect(gaps).toEqual([
        {
          v: 1,
          kind: 'gap',
          host: 'h1',
          boot: 'b1',
          instance: 'i1',
          seq: limit + 1,
          time: '2026-01-02T03:04:05.678Z',
          reason: 'kernel-overflow',
        },
      ]);
      expect(records.map((r) => r.seq)).toEqual(Array.from({ length: records.length }, (_, k) => k + 1));
    } finally {
      tree.close();
    }
  });
});

describe('gap and change records', () => {
  it('makes schema-valid gaps for dropped events and rescans, and refuses incomplete ones', () => {
    const encoder = new RecordEncoder(identity, { now: fixedNow });
    const gaps = [
      encoder.gap('sink-dropped', { dropped: 17 }),
      encoder.gap('rescan-started', { scan: 'entries' }),
      encoder.gap('rescan-finished', { scan: 'entries', count: 3 }),
      encoder.gap('rescan-finished', { scan: 'watches', count: 10 }),
    ];
    assertValid(gaps);
    expect(gaps.map((g) => [g.seq, g.reason, g.dropped, g.scan, g.count])).toEqual([
      [1, 'sink-dropped', 17, undefined, undefined],
      [2, 'rescan-started', undefined, 'entries', undefined],
      [3, 'rescan-finished', undefined, 'entries', 3],
      [4, 'rescan-finished', undefined, 'watches', 10],
    ]);
    expect(() => encoder.gap('sink-dropped')).toThrow(/dropped >= 1/);
    expect(() => encoder.gap('rescan-started')).toThrow(/scan/);
    expect(encoder.lastSeq).toBe(4); // a refused gap takes no seq
  });

  it('makes change records with the path bytes in base64 where they are not UTF-8', () => {
    const encoder = new RecordEncoder(identity, { now: fixedNow });
    const entry = {
      type: 'file',
      dev: '2049',
      ino: '18446744073709551615',
      size: 3,
      mtimeNs: '1700000000123456789',
    } as const;
    const bad = Buffer.from([0x2f, 0x74, 0x2f, 0xc3]);
    const records = [
      encoder.change({ change: 'created', path: Buffer.from('/t/ok'), entry }, 'recovery'),
      encoder.change({ change: 'moved', path: bad, from: '/t/was', entry }, 'recovery'),
      encoder.change({ change: 'exists', path: '/t/ok', entry }, 'rescan'),
    ];
    assertValid(records);
    expect(records[0]).toEqual({
      v: 1,
      kind: 'change',
      host: 'h1',
      boot: 'b1',
      instance: 'i1',
      seq: 1,
      time: '2026-01-02T03:04:05.678Z',
      change: 'created',
      cause: 'recovery',
      path: '/t/ok',
      entry,
      synthetic: true,
    });
    expect(records[1]).toMatchObject({ path: '/t/\ufffd', pathB64: 'L3Qvww==', from: { path: '/t/was' } });
  });

  it('the schema rejects records that break it', () => {
    const encoder = new RecordEncoder(identity, { now: fixedNow });
    const gap = encoder.gap('kernel-overflow');
    expect(schemaErrors(gap)).toEqual([]);
    expect(schemaErrors({ ...gap, seq: 0 })).not.toEqual([]);
    expect(schemaErrors({ ...gap, reason: 'lost' })).not.toEqual([]);
    expect(schemaErrors({ ...gap, extra: 1 })).not.toEqual([]);
    expect(schemaErrors({ ...gap, reason: 'sink-dropped' })).not.toEqual([]); // no dropped
    const { boot: _boot, ...noBoot } = gap;
    expect(schemaErrors(noBoot)).not.toEqual([]);
    const moved = encoder.change(
      {
        change: 'moved',
        path: '/a',
        from: '/b',
        entry: {
          type: 'dir',
          dev: '1',
          ino: '2',
          size: 0,
          mtimeNs: '0',
        },
      },
      'recovery',
    );
    expect(schemaErrors(moved)).toEqual([]);
    const { from: _from, ...noFrom } = moved;
    expect(schemaErrors(noFrom)).not.toEqual([]);
  });
});

describe('identity', () => {
  it('reads the boot id from the kernel and builds host:boot:instance:seq message ids', () => {
    const boot = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    expect(bootId()).toBe(boot);
    const id = recordIdentity();
    expect(id.host).toBe(os.hostname());
    expect(id.boot).toBe(boot);
    expect(id.instance).toMatch(/^[0-9a-f-]{36}$/);
    expect(recordIdentity().instance).not.toBe(id.instance);
    expect(messageId({ ...id, seq: 42 })).toBe(`${id.host}:${boot}:${id.instance}:42`);
    expect(() => recordIdentity({ host: 'a:b' })).toThrow(/without ':'/);
  });

  it('fails with the file system error when the boot id file is missing', () => {
    expect(() => bootId(path.join(dir, 'nope'))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});
