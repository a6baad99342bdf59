import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ev,
  maxQueuedEvents,
  mountTmpfs,
  openWriteClose,
  readAll,
  removeDir,
  tempDir,
  tuple,
  umount,
} from '../../test/helpers.js';
import {
  IN_ATTRIB,
  IN_CREATE,
  IN_IGNORED,
  IN_ISDIR,
  IN_Q_OVERFLOW,
  IN_UNMOUNT,
  Inotify,
  type InotifyEvent,
  TerminalEventError,
} from '../index.js';

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => removeDir(dir));

function createFiles(names: string[]): void {
  for (const name of names) openWriteClose(path.join(dir, name));
}

describe('eventGen cycles', () => {
  it('yields the events of a cycle, then null once per cycle, calling blockDurationS once per cycle', () => {
    let calls = 0;
    using i = new Inotify({
      blockDurationS: () => {
        calls++;
        return 0.02;
      },
    });
    i.addWatch(dir, IN_CREATE);
    createFiles(['a', 'b']);
    const items = [...i.eventGen({ timeoutS: 0.15 })].map((e) => (e === null ? null : e.filename));
    expect(items.slice(0, 3)).toEqual(['a', 'b', null]);
    const nulls = items.filter((e) => e === null).length;
    expect(items.slice(2).every((e) => e === null)).toBe(true);
    expect(nulls).toBeGreaterThanOrEqual(2);
    // Every cycle ends with null except the last one, which ends with the timeout.
    expect(calls).toBe(nulls + 1);
  });

  it('ends a cycle with null after 1 MiB of reads when more is queued, and yields every event in order', () => {
    using i = new Inotify();
    i.addWatch(dir, IN_CREATE);
    // 6,000 IN_CREATE of 272 bytes each (250-byte names): 1.6 MB queued before the first read.
    const names = Array.from({ length: 6000 }, (_, k) => `${String(k).padStart(4, '0')}${'n'.repeat(246)}`);
    createFiles(names);
    const items = [...i.eventGen({ timeoutS: 0.2 })].map((e) => (e === null ? null : e.filename));
    const firstNull = items.indexOf(null);
    // The first cycle read at least 1 MiB (3,855 events) and stopped before the queue was empty.
    expect(firstNull).toBeGreaterThanOrEqual(Math.ceil(2 ** 20 / 272));
    expect(firstNull).toBeLessThan(names.length);
    expect(items.filter((e) => e !== null)).toEqual(names);
  });

  it('stops after timeoutS without an event, even when blockDurationS is longer', () => {
    using i = new Inotify({ blockDurationS: 10 });
    i.addWatch(dir);
    const start = performance.now();
    expect([...i.eventGen({ timeoutS: 0.2, yieldNones: false })]).toEqual([]);
    const elapsed = performance.now() - start;
    expect(elapsed).toBeGreaterThanOrEqual(199);
    expect(elapsed).toBeLessThan(5000);
  });

  it('yields nothing but nulls without yieldNones false, and no null with it', () => {
    using i = new Inotify({ blockDurationS: 0.01 });
    i.addWatch(dir);
    const withNones = [...i.eventGen({ timeoutS: 0.05 })];
    expect(withNones.length).toBeGreaterThan(0);
    expect(withNones.every((e) => e === null)).toBe(true);
    expect([...i.eventGen({ timeoutS: 0.05, yieldNones: false })]).toEqual([]);
  });

  it('yields all events when the read buffer is small', () => {
    using i = new Inotify({ readBufferBytes: 272 });
    i.addWatch(dir, IN_CREATE);
    const names = Array.from({ length: 50 }, (_, k) => `${String(k).padStart(2, '0')}${'n'.repeat(253)}`);
    createFiles(names);
    const events = readAll(i);
    expect(events.map((e) => e.filename)).toEqual(names);
    expect(events.every((e) => e.len === 256 && e.mask === IN_CREATE)).toBe(true);
  });

  it('ends the generator when the consumer closes the instance inside the loop', () => {
    const i = new Inotify();
    i.addWatch(dir, IN_CREATE);
    createFiles(['a', 'b', 'c']);
    const seen: string[] = [];
    for (const e of i.eventGen({ yieldNones: false })) {
      seen.push(e!.filename);
      i.close();
    }
    expect(seen).toEqual(['a']);
  });
});

describe('no event is lost between calls', () => {
  it('continues with the events already read after a break', async () => {
    using i = new Inotify();
    i.addWatch(dir, IN_CREATE);
    createFiles(['a', 'b', 'c', 'd', 'e', 'f']);
    const first: string[] = [];
    for (const e of i.eventGen({ yieldNones: false })) {
      first.push(e!.filename);
      if (first.length === 2) break;
    }
    expect(first).toEqual(['a', 'b']);
    const second: string[] = [];
    for (const e of i.eventGen({ yieldNones: false })) {
      second.push(e!.filename);
      if (second.length === 1) break;
    }
    expect(second).toEqual(['c']);
    const rest: string[] = [];
    for await (const e of i.events({ timeoutS: 0.2 })) rest.push(e.filename);
    expect(rest).toEqual(['d', 'e', 'f']);
  });

  it('hands the rest of a read to batches() after eventGen stopped in the middle of it', async () => {
    using i = new Inotify();
    const wd = i.addWatch(dir, IN_CREATE);
    createFiles(['a', 'b', 'c']);
    const gen = i.eventGen({ yieldNones: false });
    expect(gen.next().value).toMatchObject({ filename: 'a' });
    gen.return();
    for await (const batch of i.batches()) {
      expect(batch.count).toBe(2);
      expect([batch.name(0), batch.name(1)]).toEqual(['b', 'c']);
      expect([...batch.wd]).toEqual([wd, wd]);
      expect([...batch.mask]).toEqual([IN_CREATE, IN_CREATE]);
      expect([...batch.len]).toEqual([16, 16]);
      expect([...batch.nameBytes(1)]).toEqual([0x63]);
      break;
    }
  });
});

describe('filterPredicate', () => {
  it('skips an event when it returns false for one of its type names, and calls it once per name', () => {
    using i = new Inotify();
    i.addWatch(dir);
    fs.mkdirSync(path.join(dir, 'sub'));
    openWriteClose(path.join(dir, 'file'));
    const calls: string[] = [];
    const events: string[] = [];
    for (const e of i.eventGen({
      timeoutS: 0.2,
      yieldNones: false,
      filterPredicate: (typeName, event) => {
        calls.push(`${typeName}:${event.filename}`);
        return typeName !== 'IN_ISDIR';
      },
    })) {
      events.push(`${e!.typeNames.join('|')}:${e!.filename}`);
    }
    expect(events).toEqual(['IN_CREATE:file', 'IN_OPEN:file', 'IN_CLOSE_WRITE:file']);
    expect(calls).toEqual([
      'IN_CREATE:sub',
      'IN_ISDIR:sub',
      'IN_CREATE:file',
      'IN_OPEN:file',
      'IN_CLOSE_WRITE:file',
    ]);
  });
});

describe('IN_Q_OVERFLOW', () => {
  function overflow(i: Inotify): number {
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    openWriteClose(a);
    openWriteClose(b);
    i.addWatch(dir, IN_ATTRIB);
    const max = maxQueuedEvents();
    // Alternate two files: the kernel merges an event identical to the last one queued.
    for (let k = 0; k < max + 100; k++) fs.utimesSync(k % 2 === 0 ? a : b, k, k);
    return max;
  }

  it('is delivered after max_queued_events events, and terminal by default', () => {
    using i = new Inotify();
    const max = overflow(i);
    let count = 0;
    let caught: unknown;
    try {
      for (const e of i.eventGen({ timeoutS: 1, yieldNones: false })) {
        expect(e!.filename).toBe(count % 2 === 0 ? 'a' : 'b');
        count++;
      }
    } catch (error) {
      caught = error;
    }
    expect(count).toBe(max);
    expect(caught).toBeInstanceOf(TerminalEventError);
    const error = caught as TerminalEventError;
    expect(error.code).toBe('ERR_INOTIFY_TERMINAL_EVENT');
    expect(error.typeName).toBe('IN_Q_OVERFLOW');
    expect(tuple(error.event)).toEqual(ev(-1, IN_Q_OVERFLOW, ['IN_Q_OVERFLOW'], '', '', 0));
    // It counted as delivered: the next generator starts after it.
    expect(readAll(i, 0.1)).toEqual([]);
  });

  it('is yielded with wd -1 and path "" when terminalEvents is empty', () => {
    using i = new Inotify();
    const max = overflow(i);
    const events = [...i.eventGen({ timeoutS: 1, yieldNones: false, terminalEvents: [] })] as InotifyEvent[];
    expect(events.length).toBe(max + 1);
    expect(tuple(events[max]!)).toEqual(ev(-1, IN_Q_OVERFLOW, ['IN_Q_OVERFLOW'], '', '', 0));
  });

  it('is never hidden by filterPredicate', () => {
    using i = new Inotify();
    overflow(i);
    const events = [
      ...i.eventGen({ timeoutS: 1, yieldNones: false, terminalEvents: [], filterPredicate: () => false }),
    ] as InotifyEvent[];
    expect(events.map(tuple)).toEqual([ev(-1, IN_Q_OVERFLOW, ['IN_Q_OVERFLOW'], '', '', 0)]);
  });
});

describe('IN_UNMOUNT', () => {
  it('is terminal by default when a watched tmpfs is unmounted, and IN_IGNORED follows', (ctx) => {
    const mnt = path.join(dir, 'mnt');
    fs.mkdirSync(mnt);
    const refused = mountTmpfs(mnt);
    if (refused !== undefined) ctx.skip(refused);
    using i = new Inotify();
    let mounted = true;
    try {
      const wd = i.addWatch(mnt, IN_CREATE);
      umount(mnt);
      mounted = false;
      let caught: unknown;
      try {
        readAll(i);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(TerminalEventError);
      expect((caught as TerminalEventError).typeName).toBe('IN_UNMOUNT');
      expect(tuple((caught as TerminalEventError).event)).toEqual(
        ev(wd, IN_UNMOUNT | IN_ISDIR, ['IN_UNMOUNT', 'IN_ISDIR'], mnt, '', 0),
      );
      expect(readAll(i)).toEqual([ev(wd, IN_IGNORED, ['IN_IGNORED'], mnt, '', 0)]);
      expect(i.watches().size).toBe(0);
    } finally {
      if (mounted) umount(mnt);
    }
  });

  it('is yielded like any event when terminalEvents is empty', (ctx) => {
    const mnt = path.join(dir, 'mnt');
    fs.mkdirSync(mnt);
    const refused = mountTmpfs(mnt);
    if (refused !== undefined) ctx.skip(refused);
    using i = new Inotify();
    const wd = i.addWatch(mnt, IN_CREATE);
    umount(mnt);
    const events = [
      ...i.eventGen({ timeoutS: 0.3, yieldNones: false, terminalEvents: [] }),
    ] as InotifyEvent[];
    expect(events.map(tuple)).toEqual([
      ev(wd, IN_UNMOUNT | IN_ISDIR, ['IN_UNMOUNT', 'IN_ISDIR'], mnt, '', 0),
      ev(wd, IN_IGNORED, ['IN_IGNORED'], mnt, '', 0),
    ]);
  });
});

describe('names', () => {
  it('reports a name that is not UTF-8 with U+FFFD in filename and its exact bytes in filenameBytes', () => {
    using i = new Inotify();
    i.addWatch(dir, IN_CREATE);
    const bytes = [0x66, 0xff, 0xfe, 0x67];
    fs.writeFileSync(Buffer.concat([Buffer.from(`${dir}/`), Buffer.from(bytes)]), '');
    const [event, ...rest] = [...i.eventGen({ timeoutS: 0.2, yieldNones: false })] as InotifyEvent[];
    expect(rest).toEqual([]);
    expect(event!.filename).toBe('f\uFFFD\uFFFDg');
    expect([...event!.filenameBytes]).toEqual(bytes);
    expect(event!.header.len).toBe(16);
  });

  it('gives filename "" and empty filenameBytes for events on the watched path itself', () => {
    using i = new Inotify();
    const wd = i.addWatch(dir, IN_ATTRIB);
    fs.chmodSync(dir, 0o750);
    const [event] = [...i.eventGen({ timeoutS: 0.2, yieldNones: false })] as InotifyEvent[];
    expect(tuple(event!)).toEqual(ev(wd, IN_ATTRIB | 0x40000000, ['IN_ATTRIB', 'IN_ISDIR'], dir, '', 0));
    expect(event!.filenameBytes.length).toBe(0);
  });

  it('keeps filenameBytes of earlier events intact while later reads reuse the decoder memory', () => {
    using i = new Inotify({ readBufferBytes: 272 });
    i.addWatch(dir, IN_CREATE);
    // 250-byte names make 272-byte events: one event per read, each read over the last one.
    const names = ['a', 'b', 'c'].map((c) => c.repeat(250));
    createFiles(names);
    const events = [...i.eventGen({ timeoutS: 0.2, yieldNones: false })] as InotifyEvent[];
    expect(events.map((e) => Buffer.from(e.filenameBytes).toString())).toEqual(names);
  });
});
