import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { elapsedSince, fdFlags, fdTarget, useTempDirs, useWatchedInstance } from '../test/helpers.js';
import { close } from './close.js';
import { POLLIN } from './constants.js';
import { init, read } from './inotify.js';
import * as libc from './libc.js';
import { createWakeFd, poll, pollAsync, wake } from './poll.js';

const tempDir = useTempDirs();
const watched = useWatchedInstance(tempDir);

/**
 * Sends SIGUSR2 to the main thread (tgkill, so no other thread can take it) from a worker
 * thread, `delayMs` after the returned promise resolves; `sent` settles once it is sent.
 */
async function signalMainThreadLater(delayMs: number): Promise<{ sent: Promise<number> }> {
  const worker = new Worker(
    `const { workerData, parentPort } = require('node:worker_threads');
     const koffi = require(workerData.koffi);
     const tgkill = koffi.load('libc.so.6').func('int tgkill(int tgid, int tid, int sig)');
     parentPort.postMessage('ready');
     Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.delayMs);
     parentPort.postMessage(tgkill(workerData.pid, workerData.pid, workerData.signal));`,
    {
      eval: true,
      execArgv: [],
      workerData: {
        koffi: createRequire(import.meta.url).resolve('koffi'),
        delayMs,
        pid: process.pid,
        signal: constants.signals.SIGUSR2,
      },
    },
  );
  await once(worker, 'message');
  return { sent: once(worker, 'message').then(([result]) => result as number) };
}

describe('poll', () => {
  it('times out after about its timeout when nothing happens', () => {
    const start = performance.now();
    expect(poll(watched.fd, 200)).toBe(false);
    const elapsed = elapsedSince(start);
    expect(elapsed).toBeGreaterThanOrEqual(195);
    expect(elapsed).toBeLessThan(700);
  });

  it('returns true at once when an event is queued', () => {
    writeFileSync(join(watched.dir, 'a'), '');
    const start = performance.now();
    expect(poll(watched.fd, 5000)).toBe(true);
    expect(elapsedSince(start)).toBeLessThan(100);
  });

  it('checks without waiting when the timeout is 0', () => {
    expect(poll(watched.fd, 0)).toBe(false);
  });

  it('keeps waiting for the time that remains when a signal interrupts it (EINTR)', async () => {
    let signals = 0;
    const onSignal = (): void => {
      signals++;
    };
    process.on('SIGUSR2', onSignal);
    try {
      // The raw syscall shows that the signal does interrupt poll(2) in this setup...
      const raw = new Int32Array([watched.fd, POLLIN, 0, 0]);
      let { sent } = await signalMainThreadLater(200);
      expect(libc.poll(raw, 1, 5000)).toBe(-1);
      expect(libc.errno()).toBe(constants.errno.EINTR);
      expect(await sent).toBe(0);
      // ...and poll() retries: it returns after its full timeout, not at the signal.
      ({ sent } = await signalMainThreadLater(200));
      const start = performance.now();
      expect(poll(watched.fd, 800)).toBe(false);
      const elapsed = elapsedSince(start);
      expect(elapsed).toBeGreaterThanOrEqual(795);
      expect(elapsed).toBeLessThan(2000);
      expect(await sent).toBe(0);
      await new Promise((r) => setTimeout(r, 50));
      expect(signals).toBe(2);
    } finally {
      process.off('SIGUSR2', onSignal);
    }
  });
});

describe('pollAsync', () => {
  it('keeps the event loop running while it waits, then times out', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const start = performance.now();
    try {
      expect(await pollAsync(watched.fd, 300)).toBe('timeout');
    } finally {
      clearInterval(timer);
    }
    const elapsed = elapsedSince(start);
    expect(elapsed).toBeGreaterThanOrEqual(295);
    expect(elapsed).toBeLessThan(1000);
    expect(ticks).toBeGreaterThanOrEqual(10);
  });

  it('resolves readable when an event arrives', async () => {
    setTimeout(() => writeFileSync(join(watched.dir, 'b'), ''), 50);
    expect(await pollAsync(watched.fd, 5000)).toBe('readable');
    expect(read(watched.fd, new Uint8Array(4096))).toBe(32);
  });

  it('returns early with woken when its wake fd is woken, and resets the wake fd', async () => {
    const wakeFd = createWakeFd();
    try {
      let ticks = 0;
      const timer = setInterval(() => ticks++, 10);
      setTimeout(() => wake(wakeFd), 200);
      const start = performance.now();
      const result = await pollAsync(watched.fd, 10_000, wakeFd);
      clearInterval(timer);
      expect(result).toBe('woken');
      const elapsed = elapsedSince(start);
      expect(elapsed).toBeGreaterThanOrEqual(195);
      expect(elapsed).toBeLessThan(2000);
      expect(ticks).toBeGreaterThanOrEqual(5);
      // The wake was consumed: the next wait blocks until its timeout.
      expect(await pollAsync(watched.fd, 50, wakeFd)).toBe('timeout');
    } finally {
      close(wakeFd);
    }
  });

  it('rejects with EBADF for a closed fd', async () => {
    const closed = init();
    close(closed);
    await expect(pollAsync(closed, 100)).rejects.toMatchObject({
      code: 'EBADF',
      syscall: 'poll',
      fd: closed,
    });
  });

  it('rejects a timeout that is not a number', async () => {
    await expect(pollAsync(watched.fd, '5' as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
  });
});

describe('createWakeFd and wake', () => {
  it('creates a non-blocking close-on-exec eventfd that wake() makes readable', () => {
    const wakeFd = createWakeFd();
    try {
      expect(fdTarget(wakeFd)).toBe('anon_inode:[eventfd]');
      expect(fdFlags(wakeFd) & (0o4000 | 0o2000000)).toBe(0o4000 | 0o2000000);
      expect(poll(wakeFd, 0)).toBe(false);
      wake(wakeFd);
      wake(wakeFd);
      expect(poll(wakeFd, 0)).toBe(true);
      const counter = new BigUint64Array(1);
      expect(libc.read(wakeFd, counter, 8)).toBe(8);
      expect(counter[0]).toBe(2n);
    } finally {
      close(wakeFd);
    }
  });

  it('reports EBADF when waking a closed wake fd', () => {
    const wakeFd = createWakeFd();
    close(wakeFd);
    expect(() => wake(wakeFd)).toThrow(
      expect.objectContaining({ code: 'EBADF', syscall: 'write', fd: wakeFd }),
    );
  });
});
