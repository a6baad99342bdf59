import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Inotify, InotifyEvent } from '../src/index.js';

/** A fresh empty directory under the system temp dir; removed by `cleanup()`. */
export function tempDir(prefix = 'inotify-ts-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** touch(1)'s system calls: openat(O_WRONLY|O_CREAT|O_NOCTTY|O_NONBLOCK, 0666), futimens(now), close. */
export function touch(file: string): void {
  const { O_WRONLY, O_CREAT, O_NOCTTY, O_NONBLOCK } = fs.constants;
  const fd = fs.openSync(file, O_WRONLY | O_CREAT | O_NOCTTY | O_NONBLOCK, 0o666);
  const now = new Date();
  fs.futimesSync(fd, now, now);
  fs.closeSync(fd);
}

/** Python's `with open(path, 'w'): pass`: open(O_WRONLY|O_CREAT|O_TRUNC), close. */
export function openWriteClose(file: string): void {
  fs.closeSync(fs.openSync(file, 'w'));
}

/** An event as the Python package's tuple, for exact comparisons. */
export interface Tuple {
  wd: number;
  mask: number;
  cookie: number;
  len: number;
  typeNames: readonly string[];
  path: string;
  filename: string;
}

export function tuple(e: InotifyEvent): Tuple {
  const { wd, mask, cookie, len } = e.header;
  return { wd, mask, cookie, len, typeNames: [...e.typeNames], path: e.path, filename: e.filename };
}

/** Expected tuple for a named event (`len` 16: every name in these tests is shorter than 16 bytes). */
export function ev(
  wd: number,
  mask: number,
  typeNames: string[],
  p: string,
  filename: string,
  len = 16,
): Tuple {
  return { wd, mask, cookie: 0, len, typeNames, path: p, filename };
}

/** The Python tests' `__read_all_events`: `list(i.event_gen(timeout_s=1, yield_nones=False))`. */
export function readAll(i: Inotify, timeoutS = 0.3): Tuple[] {
  const out: Tuple[] = [];
  for (const e of i.eventGen({ timeoutS, yieldNones: false })) if (e !== null) out.push(tuple(e));
  return out;
}

/** Open file descriptors of this process. */
export function openFds(): number {
  return fs.readdirSync('/proc/self/fd').length;
}

/** Threads of this process. */
export function threads(): number {
  return fs.readdirSync('/proc/self/task').length;
}

/** `fs.inotify.max_queued_events`, read from /proc (never changed by the tests). */
export function maxQueuedEvents(): number {
  return Number(fs.readFileSync('/proc/sys/fs/inotify/max_queued_events', 'utf8').trim());
}

/** Mounts a tmpfs on `dir`; returns the reason when the system refuses. */
export function mountTmpfs(dir: string): string | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    const e = error as { stderr?: Buffer; message: string };
    return `mount -t tmpfs refused: ${e.stderr?.toString().trim() || e.message}`;
  }
}

export function umount(dir: string): void {
  execFileSync('umount', [dir], { stdio: 'pipe' });
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects with a message naming `what` if `promise` does not settle within `ms` (a liveness check, not a benchmark). */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not complete within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The Python package's example session, with touch(1)'s system calls: `touch aa; rm aa; mkdir dir1; rmdir dir1`. */
export function runOriginalExample(dir: string): void {
  touch(path.join(dir, 'aa'));
  fs.unlinkSync(path.join(dir, 'aa'));
  fs.mkdirSync(path.join(dir, 'dir1'));
  fs.rmdirSync(path.join(dir, 'dir1'));
}

/** The events of the Python package's example output (WD 1, COOKIE 0, LEN 16), in its order. */
export function originalExampleEvents(dir: string): Tuple[] {
  return [
    ev(1, 256, ['IN_CREATE'], dir, 'aa'),
    ev(1, 32, ['IN_OPEN'], dir, 'aa'),
    ev(1, 4, ['IN_ATTRIB'], dir, 'aa'),
    ev(1, 8, ['IN_CLOSE_WRITE'], dir, 'aa'),
    ev(1, 512, ['IN_DELETE'], dir, 'aa'),
    ev(1, 1073742080, ['IN_CREATE', 'IN_ISDIR'], dir, 'dir1'),
    ev(1, 1073742336, ['IN_DELETE', 'IN_ISDIR'], dir, 'dir1'),
  ];
}

/**
 * Creates `total` entries `f0`, `f1`, … in `dir` (one IN_CREATE each: a symlink is one syscall),
 * `chunk` at a time, so the consumer can read between chunks and the queue never overflows.
 * `received(n)` tells it how many the consumer has seen; it produces the next chunk once all
 * produced so far arrived, and returns `true` when every entry arrived.
 */
export function producer(dir: string, total: number, chunk = 5_000): { received(n: number): boolean } {
  let produced = 0;
  const produce = () => {
    const end = Math.min(total, produced + chunk);
    for (; produced < end; produced++) fs.symlinkSync('target', path.join(dir, `f${produced}`));
  };
  produce();
  return {
    received(n: number): boolean {
      if (n < produced) return false;
      if (produced === total) return true;
      produce();
      return false;
    },
  };
}
