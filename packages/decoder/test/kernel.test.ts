import {
  appendFileSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  renameSync,
  rmdirSync,
  rmSync,
  unlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as syscall from '@inotify-ts/syscall';
import { afterEach, describe, expect, it } from 'vitest';
import {
  IN_ALL_EVENTS,
  IN_CLOSE_WRITE,
  IN_CREATE,
  IN_DELETE,
  IN_DELETE_SELF,
  IN_IGNORED,
  IN_ISDIR,
  IN_MODIFY,
  IN_MOVED_FROM,
  IN_MOVED_TO,
  IN_OPEN,
  IN_Q_OVERFLOW,
} from '../src/index.js';
import { implementations } from './decoders.js';
import { eventsOf, summary } from './events.js';

// Real kernel events, read by @inotify-ts/syscall straight into the decoder's input.
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function watchedDir(mask: number): { fd: number; wd: number; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'decoder-kernel-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const fd = syscall.init();
  cleanups.push(() => syscall.close(fd));
  return { fd, wd: syscall.addWatch(fd, dir, mask), dir };
}

const touch = (path: string | Buffer): void => closeSync(openSync(path, 'w'));

describe.each(implementations)('the %s decoder on events from the kernel', (_, create) => {
  it('decodes creation, renames, directories, a 255-byte name and a name that is not UTF-8', () => {
    const { fd, wd, dir } = watchedDir(IN_ALL_EVENTS);
    const long = 'L'.repeat(255);
    const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9]); // "café" in Latin-1
    touch(join(dir, 'a.txt'));
    renameSync(join(dir, 'a.txt'), join(dir, 'b.txt'));
    mkdirSync(join(dir, 'sub'));
    touch(join(dir, long));
    touch(Buffer.concat([Buffer.from(`${dir}/`), latin1]));
    unlinkSync(join(dir, 'b.txt'));
    rmdirSync(join(dir, 'sub'));
    unlinkSync(join(dir, long));
    unlinkSync(Buffer.concat([Buffer.from(`${dir}/`), latin1]));
    rmdirSync(dir);

    const decoder = create();
    const bytes = syscall.read(fd, decoder.input);
    const batch = decoder.decode(bytes);
    expect(batch.error).toBeNull();
    const events = eventsOf(batch);
    const cookie = events[3]!.cookie;
    expect(cookie).not.toBe(0);
    const named = (mask: number, name: string | Buffer, c = 0) => {
      const raw = typeof name === 'string' ? Buffer.from(name) : name;
      const len = Math.ceil((raw.length + 1) / 16) * 16;
      return { wd, mask, cookie: c, len, name: raw.toString(), nameBytes: [...raw] };
    };
    expect(events).toEqual([
      named(IN_CREATE, 'a.txt'),
      named(IN_OPEN, 'a.txt'),
      named(IN_CLOSE_WRITE, 'a.txt'),
      named(IN_MOVED_FROM, 'a.txt', cookie),
      named(IN_MOVED_TO, 'b.txt', cookie),
      named(IN_CREATE | IN_ISDIR, 'sub'),
      named(IN_CREATE, long),
      named(IN_OPEN, long),
      named(IN_CLOSE_WRITE, long),
      { ...named(IN_CREATE, latin1), name: 'caf\uFFFD' },
      { ...named(IN_OPEN, latin1), name: 'caf\uFFFD' },
      { ...named(IN_CLOSE_WRITE, latin1), name: 'caf\uFFFD' },
      named(IN_DELETE, 'b.txt'),
      named(IN_DELETE | IN_ISDIR, 'sub'),
      named(IN_DELETE, long),
      { ...named(IN_DELETE, latin1), name: 'caf\uFFFD' },
      { wd, mask: IN_DELETE_SELF, cookie: 0, len: 0, name: '', nameBytes: [] },
      { wd, mask: IN_IGNORED, cookie: 0, len: 0, name: '', nameBytes: [] },
    ]);
    expect(batch.len[6]).toBe(256);
    expect(batch.name(6)).toBe(long);
  });

  it('decodes the IN_Q_OVERFLOW record (wd -1) that ends a queue filled past max_queued_events', () => {
    const { maxQueuedEvents } = syscall.limits();
    const { fd, wd, dir } = watchedDir(IN_MODIFY);
    // Alternate two names so that the kernel cannot merge consecutive identical events.
    for (let i = 0; i < maxQueuedEvents + 10; i++) appendFileSync(join(dir, i % 2 ? 'b' : 'a'), 'x');

    const decoder = create();
    const counts = { modify: 0, overflow: 0, other: 0 };
    let last: ReturnType<typeof eventsOf>[number] | undefined;
    for (let n = syscall.read(fd, decoder.input); n > 0; n = syscall.read(fd, decoder.input)) {
      const batch = decoder.decode(n);
      expect(batch.error).toBeNull();
      for (let i = 0; i < batch.count; i++) {
        if (
          batch.wd[i] === wd &&
          batch.mask[i] === IN_MODIFY &&
          batch.name(i) === (counts.modify % 2 ? 'b' : 'a')
        ) {
          counts.modify++;
        } else if (batch.mask[i] === IN_Q_OVERFLOW) counts.overflow++;
        else counts.other++;
      }
      last = eventsOf(batch).at(-1);
    }
    expect(counts).toEqual({ modify: maxQueuedEvents, overflow: 1, other: 0 });
    expect(last).toEqual({ wd: -1, mask: IN_Q_OVERFLOW, cookie: 0, len: 0, name: '', nameBytes: [] });
  });
});

describe('both decoders on the same kernel bytes', () => {
  it('give identical batches', () => {
    const { fd, dir } = watchedDir(IN_ALL_EVENTS);
    for (let i = 0; i < 50; i++) appendFileSync(join(dir, `file-${i % 7}-${'é'.repeat(i % 3)}`), 'x');
    const [wasm, reference] = implementations.map(([, create]) => create());
    const n = syscall.read(fd, wasm!.input);
    expect(n).toBeGreaterThan(0);
    reference!.input.set(wasm!.input.subarray(0, n));
    const expected = summary(reference!.decode(n));
    // 21 distinct names (i % 7, i % 3): one IN_CREATE each, then IN_OPEN, IN_MODIFY, IN_CLOSE_WRITE per append.
    expect(expected.count).toBe(21 + 50 * 3);
    expect(summary(wasm!.decode(n))).toEqual(expected);
  });
});
