import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  elapsedSince,
  fdTarget,
  IN,
  openFds,
  parseEvents,
  runChild,
  useTempDirs,
  useWatchedInstance,
  WasmMemory,
} from '../test/helpers.js';
import { close } from './close.js';
import { InotifyError } from './errors.js';
import { read } from './inotify.js';
import { type AsyncReader, createReader, eventLoopReadsAvailable, type ReaderKind } from './reader.js';

const tempDir = useTempDirs();
const watched = useWatchedInstance(tempDir);

/** Runs `body` with a reader of the test's instance, closed afterwards. */
async function withReader<T>(
  kind: ReaderKind,
  body: (reader: AsyncReader) => Promise<T>,
  buffer = new Uint8Array(4096),
): Promise<T> {
  const reader = createReader(watched.fd, buffer, { kind });
  try {
    return await body(reader);
  } finally {
    reader.close();
  }
}

const KINDS: ReaderKind[] = ['event-loop', 'thread'];

it('offers event-loop reads on this Node', () => {
  expect(eventLoopReadsAvailable()).toBe(true);
  const reader = createReader(watched.fd, new Uint8Array(272));
  expect(reader.kind).toBe('event-loop');
  reader.close();
});

describe.each(KINDS)('a %s reader', (kind) => {
  it('reads the events once they arrive, while the event loop keeps ticking', async () => {
    await withReader(kind, async (reader) => {
      let ticks = 0;
      const timer = setInterval(() => ticks++, 10);
      setTimeout(() => writeFileSync(join(watched.dir, 'late'), ''), 200);
      const start = performance.now();
      const bytes = await reader.read();
      clearInterval(timer);
      expect(elapsedSince(start)).toBeGreaterThanOrEqual(195);
      expect(ticks).toBeGreaterThanOrEqual(10);
      expect(bytes).toBe(32);
      expect(parseEvents(reader.buffer, bytes)).toEqual([
        expect.objectContaining({ wd: 1, mask: IN.CREATE, cookie: 0, len: 16, name: 'late' }),
      ]);
    });
  });

  it('reads every queued event that fits in one read, and the rest in the next', async () => {
    for (let i = 0; i < 20; i++) writeFileSync(join(watched.dir, `f${String(i).padStart(2, '0')}`), '');
    // 20 events of 32 bytes; 300 bytes hold 9 of them.
    await withReader(
      kind,
      async (reader) => {
        const names: string[] = [];
        for (const expected of [288, 288, 64]) {
          const bytes = await reader.read({ timeoutMs: 1000 });
          expect(bytes).toBe(expected);
          names.push(...parseEvents(reader.buffer, bytes).map((e) => e.name));
        }
        expect(names).toEqual(Array.from({ length: 20 }, (_, i) => `f${String(i).padStart(2, '0')}`));
        expect(await reader.read({ timeoutMs: 50 })).toBe(0);
      },
      new Uint8Array(300),
    );
  });

  it('reads straight into WebAssembly memory at the view offset', async () => {
    const memory = new WasmMemory({ initial: 1 });
    const view = new Uint8Array(memory.buffer, 1024, 4096);
    writeFileSync(join(watched.dir, 'wasm'), '');
    await withReader(
      kind,
      async (reader) => {
        const bytes = await reader.read({ timeoutMs: 1000 });
        expect(bytes).toBe(32);
        const header = new Int32Array(memory.buffer, 1024, 4);
        expect([...header]).toEqual([1, IN.CREATE, 0, 16]);
        expect(new TextDecoder().decode(new Uint8Array(memory.buffer, 1040, 4))).toBe('wasm');
      },
      view,
    );
  });

  it('resolves 0 when the timeout passes with no event', async () => {
    await withReader(kind, async (reader) => {
      const start = performance.now();
      expect(await reader.read({ timeoutMs: 100 })).toBe(0);
      expect(elapsedSince(start)).toBeGreaterThanOrEqual(95);
      // Nothing is left armed: an event after the timeout is read by the next read.
      writeFileSync(join(watched.dir, 'after'), '');
      expect(await reader.read({ timeoutMs: 1000 })).toBe(32);
    });
  });

  it('reads what is queued without waiting when timeoutMs is 0', async () => {
    await withReader(kind, async (reader) => {
      expect(await reader.read({ timeoutMs: 0 })).toBe(0);
      writeFileSync(join(watched.dir, 'now'), '');
      expect(await reader.read({ timeoutMs: 0 })).toBe(32);
    });
  });

  it('resolves a pending read with 0 when closed, and leaves the fd open', async () => {
    const before = openFds();
    const reader = createReader(watched.fd, new Uint8Array(4096), { kind });
    const pending = reader.read();
    setTimeout(() => reader.close(), 50);
    expect(await pending).toBe(0);
    expect(reader.closed).toBe(true);
    expect(await reader.read()).toBe(0);
    reader.close();
    // Its duplicate fd (event-loop) is gone, the instance's own fd is still there.
    expect(openFds()).toEqual(before);
    expect(fdTarget(watched.fd)).toBe('anon_inode:inotify');
    writeFileSync(join(watched.dir, 'still'), '');
    expect(read(watched.fd, new Uint8Array(4096))).toBe(32);
  });

  it('closes on Symbol.asyncDispose once the pending read has settled with 0', async () => {
    const before = openFds();
    const reader = createReader(watched.fd, new Uint8Array(4096), { kind });
    let settled: number | undefined;
    const pending = reader.read().then((bytes) => {
      settled = bytes;
      return bytes;
    });
    await reader[Symbol.asyncDispose]();
    expect(reader.closed).toBe(true);
    expect(settled).toBe(0);
    expect(await pending).toBe(0);
    expect(openFds()).toEqual(before);
    reader[Symbol.dispose]();
  });

  it("rejects with the signal's reason when aborted, and reads again afterwards", async () => {
    await withReader(kind, async (reader) => {
      const controller = new AbortController();
      const pending = reader.read({ signal: controller.signal });
      setTimeout(() => controller.abort(new Error('stop reading')), 50);
      await expect(pending).rejects.toThrow('stop reading');
      await expect(reader.read({ signal: controller.signal })).rejects.toThrow('stop reading');
      expect(reader.closed).toBe(false);
      writeFileSync(join(watched.dir, 'again'), '');
      expect(await reader.read({ timeoutMs: 1000 })).toBe(32);
    });
  });

  it('rejects a second read while one is pending with ERR_INVALID_STATE', async () => {
    await withReader(kind, async (reader) => {
      const first = reader.read({ timeoutMs: 200 });
      await expect(reader.read()).rejects.toMatchObject({
        code: 'ERR_INVALID_STATE',
        message: 'read() called while another read is pending',
      });
      expect(await first).toBe(0);
    });
  });

  it('rejects a failed read with an InotifyError that names read and the fd', async () => {
    // A file open for writing only cannot be read: read(2) says EBADF, libuv refuses to start
    // reading it (ENOTCONN).
    const writeEnd = openSync(join(tempDir(), 'write-only'), 'w');
    const reader = createReader(writeEnd, new Uint8Array(4096), { kind });
    try {
      const error = await reader.read({ timeoutMs: 1000 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InotifyError);
      expect(error).toMatchObject({
        code: kind === 'thread' ? 'EBADF' : 'ENOTCONN',
        syscall: 'read',
        fd: writeEnd,
      });
    } finally {
      reader.close();
      closeSync(writeEnd);
    }
  });
});

/** Lets the event loop turn until `reader.staged` is `bytes` (libuv reads when the fd is readable). */
async function untilStaged(reader: AsyncReader, bytes: number): Promise<void> {
  for (let turns = 0; reader.staged !== bytes; turns++) {
    if (turns > 20_000) throw new Error(`staged stayed at ${reader.staged} bytes, not ${bytes}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Reads the event of creating `first`, then has libuv read ahead the one of `second`: staged. */
async function readThenStage(reader: AsyncReader, first: string, second: string): Promise<void> {
  const pending = reader.read();
  writeFileSync(join(watched.dir, first), '');
  expect(await pending).toBe(32);
  expect(parseEvents(reader.buffer, 32).map((e) => e.name)).toEqual([first]);
  writeFileSync(join(watched.dir, second), '');
  await untilStaged(reader, 32);
}

describe('an event-loop reader between reads', () => {
  it('stays armed: what arrives while no read is pending is staged, and the next read returns it with what followed, in order', async () => {
    await withReader('event-loop', async (reader) => {
      await readThenStage(reader, 'a', 'b');
      // Staged bytes are held apart: the buffer still holds the last read's events.
      expect(parseEvents(reader.buffer, 32).map((e) => e.name)).toEqual(['a']);
      // libuv reads no more while bytes are staged: c stays in the kernel queue.
      writeFileSync(join(watched.dir, 'c'), '');
      for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
      expect(reader.staged).toBe(32);
      const bytes = await reader.read();
      expect(bytes).toBe(64);
      expect(parseEvents(reader.buffer, bytes).map((e) => e.name)).toEqual(['b', 'c']);
      expect(reader.staged).toBe(0);
    });
  });

  it('hands the staged bytes to readSync before the kernel queue, and reads on where there is room', async () => {
    await withReader('event-loop', async (reader) => {
      await readThenStage(reader, 'a', 'b');
      writeFileSync(join(watched.dir, 'c'), '');
      const into = new Uint8Array(4096);
      expect(reader.readSync(into)).toBe(64);
      expect(parseEvents(into, 64).map((e) => e.name)).toEqual(['b', 'c']);
      expect(reader.staged).toBe(0);
      expect(reader.readSync(into)).toBe(0);
      // Room for less than one largest event after the staged bytes: only they are handed out.
      await readThenStage(reader, 'd', 'e');
      writeFileSync(join(watched.dir, 'f'), '');
      const small = new Uint8Array(32 + 271);
      expect(reader.readSync(small)).toBe(32);
      expect(parseEvents(small, 32).map((e) => e.name)).toEqual(['e']);
      expect(read(watched.fd, into)).toBe(32);
      expect(parseEvents(into, 32).map((e) => e.name)).toEqual(['f']);
    });
  });

  it('refuses a readSync buffer shorter than the staged bytes, and keeps them', async () => {
    await withReader('event-loop', async (reader) => {
      await readThenStage(reader, 'a', 'b');
      expect(() => reader.readSync(new Uint8Array(16))).toThrow(
        expect.objectContaining({
          code: 'ERR_BUFFER_TOO_SMALL',
          message: 'The read buffer has 16 bytes; 32 bytes of events are staged',
        }),
      );
      expect(reader.staged).toBe(32);
      expect(await reader.read({ timeoutMs: 0 })).toBe(32);
      expect(parseEvents(reader.buffer, 32).map((e) => e.name)).toEqual(['b']);
    });
  });
});

describe('createReader', () => {
  it('refuses a buffer shorter than one largest event, a bad kind, and a closed fd', () => {
    expect(() => createReader(watched.fd, new Uint8Array(271))).toThrow(
      expect.objectContaining({ code: 'ERR_BUFFER_TOO_SMALL' }),
    );
    expect(() => createReader(watched.fd, new Uint8Array(272), { kind: 'fast' as never })).toThrow(
      expect.objectContaining({
        code: 'ERR_INVALID_ARG_VALUE',
        message: `The argument 'options.kind' must be 'auto', 'event-loop' or 'thread'. Received type string ("fast")`,
      }),
    );
    expect(() => createReader(watched.fd, 'buffer' as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
    const fd = watched.fd;
    close(fd);
    expect(() => createReader(fd, new Uint8Array(272), { kind: 'event-loop' })).toThrow(
      expect.objectContaining({ code: 'EBADF', syscall: 'fcntl' }),
    );
  });

  it('uses the thread kind, without a warning, under --pending-deprecation', () => {
    const child = runChild(
      `const fd = S.init();
       const reader = S.createReader(fd, new Uint8Array(272));
       console.log(reader.kind, S.eventLoopReadsAvailable());
       reader.close(); S.close(fd);`,
      { prefix: ['env', 'NODE_OPTIONS=--pending-deprecation'] },
    );
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('thread false\n');
    expect(child.status).toBe(0);
  });

  it("finds process.binding('pipe_wrap') on this Node without a runtime warning", () => {
    // The day a Node warns here, users would see the warning: this test fails first, on the
    // Node line that does it (CI runs every supported line). pipe-wrap.ts says what to do then.
    const child = runChild(
      `process.on('warning', (w) => console.log('warning', w.name, w.code, w.message));
       const binding = process.binding('pipe_wrap');
       console.log(typeof binding.Pipe, typeof binding.constants.SOCKET);
       const fd = S.init();
       const reader = S.createReader(fd, new Uint8Array(272));
       console.log(reader.kind, S.eventLoopReadsAvailable());
       reader.close(); S.close(fd);
       setTimeout(() => console.log('no warning'), 50);`,
    );
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('function number\nevent-loop true\nno warning\n');
    expect(child.status).toBe(0);
  });

  it.each([['NODE_OPTIONS=--pending-deprecation'], ['NODE_PENDING_DEPRECATION=1']])(
    'falls back to the thread kind and plain fds with %s, reads events, and leaves no fd',
    (setting) => {
      const dir = tempDir();
      const child = runChild(
        `import { readdirSync, readlinkSync, writeFileSync } from 'node:fs';
       process.on('warning', (w) => console.log('warning', w.name, w.code));
       const instances = () => readdirSync('/proc/self/fd')
         .filter((n) => { try { return readlinkSync('/proc/self/fd/' + n) === 'anon_inode:inotify'; } catch { return false; } })
         .length;
       const fd = S.init();
       S.addWatch(fd, ${JSON.stringify(dir)}, 0x100);
       const reader = S.createReader(fd, new Uint8Array(4096));
       const pending = reader.read({ timeoutMs: 10_000 });
       writeFileSync(${JSON.stringify(`${dir}/fallback`)}, '');
       console.log(reader.kind, await pending);
       await reader[Symbol.asyncDispose]();
       S.close(fd);
       console.log('instances left', instances());`,
        { prefix: ['env', setting] },
      );
      expect(child.stderr).toBe('');
      // 32 bytes: one IN_CREATE of 'fallback'.
      expect(child.stdout).toBe('thread 32\ninstances left 0\n');
      expect(child.status).toBe(0);
    },
  );

  it('lets the process exit once a read that got events has resolved, though the fd stays armed', () => {
    const dir = tempDir();
    const child = runChild(
      `import { writeFileSync } from 'node:fs';
       const fd = S.init();
       S.addWatch(fd, ${JSON.stringify(dir)}, 0x100);
       const reader = S.createReader(fd, new Uint8Array(4096), { kind: 'event-loop' });
       const pending = reader.read();
       writeFileSync(${JSON.stringify(`${dir}/one`)}, '');
       console.log(await pending);
       process.on('exit', () => console.log('exit', reader.closed));`,
    );
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('32\nexit false\n');
    expect(child.status).toBe(0);
  });

  it('keeps the process alive while a read is pending, and not otherwise', () => {
    const child = runChild(
      `const fd = S.init();
       const idle = S.createReader(fd, new Uint8Array(272), { kind: 'event-loop' });
       const start = performance.now();
       const reader = S.createReader(fd, new Uint8Array(272), { kind: 'event-loop' });
       reader.read({ timeoutMs: 300 }).then((bytes) => {
         console.log(bytes, performance.now() - start >= 295);
         process.on('exit', () => console.log('exit'));
       });`,
    );
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('0 true\nexit\n');
    expect(child.status).toBe(0);
  });
});
