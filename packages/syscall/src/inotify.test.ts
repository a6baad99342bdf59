import { closeSync, mkdirSync, openSync, renameSync, rmdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  fdFlags,
  fdTarget,
  IN,
  LITTLE,
  openFds,
  paddedLength,
  parseEvents,
  useTempDirs,
  WasmMemory,
} from '../test/helpers.js';
import { close } from './close.js';
import { MIN_READ_BUFFER_SIZE } from './constants.js';
import { addWatch, init, pendingBytes, read, rmWatch } from './inotify.js';
import * as libc from './libc.js';
import { limits } from './limits.js';

const tempDir = useTempDirs();

function withInstance<T>(body: (fd: number) => T): T {
  const fd = init();
  try {
    return body(fd);
  } finally {
    close(fd);
  }
}

describe('init', () => {
  it('creates a non-blocking, close-on-exec inotify instance', () => {
    withInstance((fd) => {
      expect(fdTarget(fd)).toBe('anon_inode:inotify');
      const flags = fdFlags(fd);
      expect(flags & 0o4000).toBe(0o4000); // O_NONBLOCK
      expect(flags & 0o2000000).toBe(0o2000000); // O_CLOEXEC
    });
  });

  it('leaves /proc/self/fd unchanged after 10,000 init/close cycles', () => {
    const before = openFds();
    for (let i = 0; i < 10_000; i++) close(init());
    expect(openFds()).toEqual(before);
  });
});

describe('addWatch and read', () => {
  it("reads back the exact bytes of a created file's events", () => {
    const dir = tempDir();
    withInstance((fd) => {
      const wd = addWatch(fd, dir, IN.CREATE | IN.OPEN | IN.MODIFY | IN.CLOSE_WRITE);
      expect(wd).toBe(1);
      writeFileSync(join(dir, 'hello.txt'), 'hi');

      const buffer = new Uint8Array(4096);
      const n = read(fd, buffer);
      expect(n).toBe(4 * (16 + 16));
      // The first event, byte by byte: wd, mask, cookie, len, then "hello.txt" NUL-padded to 16.
      const header = new DataView(buffer.buffer, 0, 16);
      expect(header.getInt32(0, LITTLE)).toBe(wd);
      expect(header.getUint32(4, LITTLE)).toBe(IN.CREATE);
      expect(header.getUint32(8, LITTLE)).toBe(0);
      expect(header.getUint32(12, LITTLE)).toBe(16);
      expect([...buffer.subarray(16, 32)]).toEqual([...Buffer.from('hello.txt'), 0, 0, 0, 0, 0, 0, 0]);

      expect(parseEvents(buffer, n).map(({ nameField: _, ...e }) => e)).toEqual([
        { wd, mask: IN.CREATE, cookie: 0, len: 16, name: 'hello.txt' },
        { wd, mask: IN.OPEN, cookie: 0, len: 16, name: 'hello.txt' },
        { wd, mask: IN.MODIFY, cookie: 0, len: 16, name: 'hello.txt' },
        { wd, mask: IN.CLOSE_WRITE, cookie: 0, len: 16, name: 'hello.txt' },
      ]);
      expect(read(fd, buffer)).toBe(0);
    });
  });

  it('pairs a rename by the cookie of IN_MOVED_FROM and IN_MOVED_TO', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a'), '');
    withInstance((fd) => {
      const wd = addWatch(fd, dir, IN.MOVED_FROM | IN.MOVED_TO);
      renameSync(join(dir, 'a'), join(dir, 'bb'));
      const buffer = new Uint8Array(1024);
      const [from, to, ...rest] = parseEvents(buffer, read(fd, buffer));
      expect(rest).toEqual([]);
      expect(from).toMatchObject({ wd, mask: IN.MOVED_FROM, len: 16, name: 'a' });
      expect(to).toMatchObject({ wd, mask: IN.MOVED_TO, len: 16, name: 'bb' });
      expect(from!.cookie).not.toBe(0);
      expect(to!.cookie).toBe(from!.cookie);
    });
  });

  it('flags directory events with IN_ISDIR', () => {
    const dir = tempDir();
    withInstance((fd) => {
      const wd = addWatch(fd, dir, IN.CREATE | IN.DELETE);
      mkdirSync(join(dir, 'sub'));
      rmdirSync(join(dir, 'sub'));
      const buffer = new Uint8Array(1024);
      expect(parseEvents(buffer, read(fd, buffer)).map((e) => [e.wd, e.mask, e.name])).toEqual([
        [wd, IN.CREATE | IN.ISDIR, 'sub'],
        [wd, IN.DELETE | IN.ISDIR, 'sub'],
      ]);
    });
  });

  it('returns 0 at once when no event is queued', () => {
    const dir = tempDir();
    withInstance((fd) => {
      addWatch(fd, dir, IN.CREATE);
      const start = performance.now();
      expect(read(fd, new Uint8Array(4096))).toBe(0);
      expect(performance.now() - start).toBeLessThan(100);
    });
  });

  it('reads straight into a view on WebAssembly memory at its byte offset', () => {
    const dir = tempDir();
    const memory = new WasmMemory({ initial: 1 });
    const all = new Uint8Array(memory.buffer);
    all.fill(0xaa);
    const view = new Uint8Array(memory.buffer, 1000, 2048);
    withInstance((fd) => {
      const wd = addWatch(fd, dir, IN.CREATE);
      writeFileSync(join(dir, 'wasm'), '');
      const n = read(fd, view);
      expect(n).toBe(32);
      // The kernel wrote into the memory itself, at offset 1000, and nowhere else.
      const events = parseEvents(new Uint8Array(memory.buffer, 1000, n), n);
      expect(events.map((e) => [e.wd, e.mask, e.cookie, e.len, e.name])).toEqual([
        [wd, IN.CREATE, 0, 16, 'wasm'],
      ]);
      expect(all[999]).toBe(0xaa);
      expect(all[1000 + n]).toBe(0xaa);
    });
  });

  it('fits the largest possible event, a 255-byte name, into exactly 272 bytes', () => {
    const dir = tempDir();
    const name = 'n'.repeat(255);
    withInstance((fd) => {
      addWatch(fd, dir, IN.CREATE);
      writeFileSync(join(dir, name), '');
      const buffer = new Uint8Array(MIN_READ_BUFFER_SIZE);
      expect(read(fd, buffer)).toBe(272);
      expect(parseEvents(buffer, 272)).toMatchObject([{ mask: IN.CREATE, len: 256, name }]);
    });
  });

  it('is protected from the kernel EINVAL that a buffer smaller than the next event gets', () => {
    const dir = tempDir();
    withInstance((fd) => {
      addWatch(fd, dir, IN.CREATE);
      writeFileSync(join(dir, 'x'.repeat(255)), '');
      // The raw syscall shows the quirk: 271 bytes cannot take a 272-byte event.
      expect(libc.read(fd, new Uint8Array(271), 271)).toBe(-1);
      expect(libc.errno()).toBe(22);
      expect(() => read(fd, new Uint8Array(271))).toThrow(
        expect.objectContaining({ name: 'RangeError', code: 'ERR_BUFFER_TOO_SMALL' }),
      );
      // The event is still there for a big enough buffer.
      expect(read(fd, new Uint8Array(272))).toBe(272);
    });
  });

  it('accepts the raw bytes of a path that is not valid UTF-8', () => {
    const base = tempDir();
    const dirBytes = Buffer.concat([Buffer.from(`${base}/d`), Buffer.from([0xff, 0xfe])]);
    mkdirSync(dirBytes);
    withInstance((fd) => {
      // A subarray: only the view's bytes are the path.
      const padded = Buffer.concat([Buffer.from('XXXX'), dirBytes, Buffer.from('YYYY')]);
      const wd = addWatch(
        fd,
        new Uint8Array(padded.buffer, padded.byteOffset + 4, dirBytes.length),
        IN.CREATE,
      );
      expect(wd).toBe(1);
      const fileName = Buffer.from([0x66, 0xc3, 0x28]); // "f" then an invalid UTF-8 sequence
      writeFileSync(Buffer.concat([dirBytes, Buffer.from('/'), fileName]), '');
      const buffer = new Uint8Array(1024);
      const [event] = parseEvents(buffer, read(fd, buffer));
      expect(event).toMatchObject({ wd, mask: IN.CREATE, len: 16 });
      expect([...event!.nameField]).toEqual([0x66, 0xc3, 0x28, ...new Array(13).fill(0)]);
    });
  });

  it('returns the same wd for a second path to the same inode', () => {
    const dir = tempDir();
    const link = join(tempDir(), 'link');
    symlinkSync(dir, link);
    withInstance((fd) => {
      const wd = addWatch(fd, dir, IN.CREATE);
      expect(addWatch(fd, link, IN.DELETE)).toBe(wd);
    });
  });

  it('accepts a mask made negative by | IN_ONESHOT and removes the watch after one event', () => {
    const dir = tempDir();
    withInstance((fd) => {
      const mask = IN.CREATE | IN.ONESHOT;
      expect(mask).toBeLessThan(0);
      const wd = addWatch(fd, dir, mask);
      writeFileSync(join(dir, 'one'), '');
      writeFileSync(join(dir, 'two'), '');
      const buffer = new Uint8Array(1024);
      expect(parseEvents(buffer, read(fd, buffer)).map((e) => [e.wd, e.mask, e.name])).toEqual([
        [wd, IN.CREATE, 'one'],
        [wd, IN.IGNORED, ''],
      ]);
    });
  });
});

describe('rmWatch', () => {
  it('removes the watch and queues IN_IGNORED for it', () => {
    const dir = tempDir();
    withInstance((fd) => {
      const wd = addWatch(fd, dir, IN.CREATE);
      rmWatch(fd, wd);
      writeFileSync(join(dir, 'after'), '');
      const buffer = new Uint8Array(1024);
      expect(parseEvents(buffer, read(fd, buffer)).map(({ nameField: _, ...e }) => e)).toEqual([
        { wd, mask: IN.IGNORED, cookie: 0, len: 0, name: '' },
      ]);
    });
  });
});

describe('pendingBytes', () => {
  it('grows by each queued event and drops to 0 after a read', () => {
    const dir = tempDir();
    withInstance((fd) => {
      addWatch(fd, dir, IN.CREATE);
      expect(pendingBytes(fd)).toBe(0);
      writeFileSync(join(dir, 'one'), '');
      expect(pendingBytes(fd)).toBe(16 + paddedLength(3));
      writeFileSync(join(dir, 'a-longer-name-of-20b'), '');
      expect(pendingBytes(fd)).toBe(32 + 16 + paddedLength(20));
      expect(read(fd, new Uint8Array(4096))).toBe(32 + 48);
      expect(pendingBytes(fd)).toBe(0);
    });
  });
});

describe('queue overflow', () => {
  const { maxQueuedEvents } = limits();
  it.skipIf(maxQueuedEvents > 1_000_000)(
    'queues exactly max_queued_events events, then one IN_Q_OVERFLOW with wd -1',
    () => {
      const file = join(tempDir(), 'f');
      writeFileSync(file, '');
      withInstance((fd) => {
        const wd = addWatch(fd, file, IN.OPEN | IN.CLOSE_NOWRITE);
        // Alternating events, so that the kernel cannot merge them with the one queued before.
        const pairs = Math.ceil(maxQueuedEvents / 2) + 1;
        for (let i = 0; i < pairs; i++) closeSync(openSync(file, 'r'));
        // A watch on a file itself: events carry no name, 16 bytes each.
        expect(pendingBytes(fd)).toBe((maxQueuedEvents + 1) * 16);
        const buffer = new Uint8Array((maxQueuedEvents + 1) * 16);
        expect(read(fd, buffer)).toBe(buffer.length);
        const events = parseEvents(buffer, buffer.length);
        expect(events.slice(0, 2).map((e) => [e.wd, e.mask, e.len])).toEqual([
          [wd, IN.OPEN, 0],
          [wd, IN.CLOSE_NOWRITE, 0],
        ]);
        expect(events.filter((e) => e.wd === wd).length).toBe(maxQueuedEvents);
        expect(events.at(-1)).toMatchObject({ wd: -1, mask: IN.Q_OVERFLOW, cookie: 0, len: 0 });
        expect(read(fd, buffer)).toBe(0);
      });
    },
  );
});
