import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { elapsedSince, fdFlags, fdTarget, useTempDirs, useWatchedInstance } from '../test/helpers.js';
import { close } from './close.js';
import { POLLIN } from './constants.js';
import { init, read } from './inotify.js';
import * as libc from './libc.js';
import { createWakeFd, poll, pollAsync, wake } from './poll.js';

const tempDir = useTempDirs();
const watched = useWatchedInstance(tempDir);

/** Sends SIGUSR2 to this process from another process after `delayMs`. */
function signalLater(delayMs: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', `sleep ${delayMs / 1000}; kill -USR2 ${process.pid}`]);
    child.on('exit', () => resolve());
  });
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
      let sent = signalLater(100);
      expect(libc.poll(raw, 1, 3000)).toBe(-1);
      expect(libc.errno()).toBe(4); // EINTR
      await sent;
      // ...and poll() retries: it returns after its full timeout, not at the signal.
      sent = signalLater(100);
      const start = performance.now();
      expect(poll(watched.fd, 600)).toBe(false);
      const elapsed = elapsedSince(start);
      expect(elapsed).toBeGreaterThanOrEqual(595);
      expect(elapsed).toBeLessThan(1500);
      await sent;
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
