import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  DIST_INDEX,
  elapsedSince,
  epollTargets,
  fdTarget,
  IN,
  openFds,
  useTempDirs,
  useWatchedInstance,
} from '../test/helpers.js';
import { close } from './close.js';
import { addWatch, init, read } from './inotify.js';
import { waiterState, waitReadable } from './waiter.js';

const tempDir = useTempDirs();
const watched = useWatchedInstance(tempDir);

describe('waitReadable', () => {
  it('resolves true on an event while the event loop keeps ticking', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    setTimeout(() => writeFileSync(join(watched.dir, 'a'), ''), 300);
    const start = performance.now();
    const readable = await waitReadable(watched.fd);
    clearInterval(timer);
    expect(readable).toBe(true);
    expect(elapsedSince(start)).toBeGreaterThanOrEqual(295);
    expect(ticks).toBeGreaterThanOrEqual(10);
    expect(read(watched.fd, new Uint8Array(4096))).toBe(32);
  });

  it('resolves true at once when events are already queued', async () => {
    writeFileSync(join(watched.dir, 'a'), '');
    expect(await waitReadable(watched.fd, { timeoutMs: 0 })).toBe(true);
  });

  it('resolves false after about its timeout', async () => {
    const start = performance.now();
    expect(await waitReadable(watched.fd, { timeoutMs: 200 })).toBe(false);
    const elapsed = elapsedSince(start);
    expect(elapsed).toBeGreaterThanOrEqual(195);
    expect(elapsed).toBeLessThan(700);
  });

  it('resolves false when the fd is closed while waiting, and closes it', async () => {
    const waiting = waitReadable(watched.fd);
    setTimeout(() => close(watched.fd), 50);
    expect(await waiting).toBe(false);
    expect(fdTarget(watched.fd)).toBeUndefined();
  });

  it('rejects with the signal reason on abort', async () => {
    const controller = new AbortController();
    const reason = new Error('stop waiting');
    const waiting = waitReadable(watched.fd, { signal: controller.signal });
    setTimeout(() => controller.abort(reason), 50);
    await expect(waiting).rejects.toBe(reason);
  });

  it('rejects at once with the reason of a signal that is already aborted', async () => {
    const reason = new Error('already');
    await expect(waitReadable(watched.fd, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });

  it('resolves every wait on the same fd', async () => {
    const waits = [
      waitReadable(watched.fd),
      waitReadable(watched.fd, { timeoutMs: 5000 }),
      waitReadable(watched.fd),
    ];
    setTimeout(() => writeFileSync(join(watched.dir, 'a'), ''), 50);
    expect(await Promise.all(waits)).toEqual([true, true, true]);
  });

  it('ignores a readiness report that belongs to an earlier, timed-out wait', async () => {
    expect(await waitReadable(watched.fd, { timeoutMs: 20 })).toBe(false);
    expect(await waitReadable(watched.fd, { timeoutMs: 20 })).toBe(false);
    setTimeout(() => writeFileSync(join(watched.dir, 'late'), ''), 50);
    expect(await waitReadable(watched.fd, { timeoutMs: 5000 })).toBe(true);
  });

  it('waits on 20 fds at once while fs.promises.readFile completes promptly', async () => {
    const instances = Array.from({ length: 20 }, () => {
      const instance = init();
      const instanceDir = tempDir();
      addWatch(instance, instanceDir, IN.CREATE);
      return { instance, instanceDir };
    });
    try {
      const waits = instances.map(({ instance }) => waitReadable(instance));
      await new Promise((r) => setTimeout(r, 50));
      const byNumber = (a: number, b: number): number => a - b;
      expect(waiterState().fds.sort(byNumber)).toEqual(
        instances.map(({ instance }) => instance).sort(byNumber),
      );
      // If each wait held a libuv threadpool thread (4 of them), readFile would queue behind them.
      const start = performance.now();
      const content = await Promise.race([
        readFile(DIST_INDEX, 'utf8'),
        new Promise<string>((r) => setTimeout(() => r('timed out'), 2000)),
      ]);
      expect(content).toContain('waitReadable');
      expect(elapsedSince(start)).toBeLessThan(1000);
      for (const { instanceDir } of instances) writeFileSync(join(instanceDir, 'x'), '');
      expect(await Promise.all(waits)).toEqual(new Array(20).fill(true));
    } finally {
      for (const { instance } of instances) close(instance);
    }
  });

  it('waits on many fds with one thread', async () => {
    await waitReadable(watched.fd, { timeoutMs: 1 }); // the waiter thread runs from here on
    const threads = readdirSync('/proc/self/task').length;
    const instances = Array.from({ length: 10 }, () => init());
    try {
      const waits = instances.map((instance) => waitReadable(instance, { timeoutMs: 100 }));
      await new Promise((r) => setTimeout(r, 30));
      expect(waiterState().fds.sort((a, b) => a - b)).toEqual([...instances].sort((a, b) => a - b));
      expect(readdirSync('/proc/self/task').length).toBe(threads);
      expect(await Promise.all(waits)).toEqual(new Array(10).fill(false));
    } finally {
      for (const instance of instances) close(instance);
    }
  });

  it('leaves no fds and no epoll registrations behind', async () => {
    // The waiter's own epoll fd and control eventfd are created once and kept.
    await waitReadable(watched.fd, { timeoutMs: 1 });
    const before = openFds();
    const { epfd, controlFd } = waiterState();
    expect(fdTarget(epfd!)).toBe('anon_inode:[eventpoll]');
    for (let round = 0; round < 20; round++) {
      const a = init();
      const b = init();
      const aDir = tempDir();
      addWatch(a, aDir, IN.CREATE);
      const controller = new AbortController();
      const waits = [
        waitReadable(a),
        waitReadable(b, { timeoutMs: 5 }),
        waitReadable(b, { signal: controller.signal }).catch(() => 'aborted'),
      ];
      controller.abort();
      writeFileSync(join(aDir, 'x'), '');
      expect(await Promise.all(waits)).toEqual([true, false, 'aborted']);
      const c = init();
      const closing = waitReadable(c);
      close(c);
      expect(await closing).toBe(false);
      close(a);
      close(b);
    }
    expect(openFds()).toEqual(before);
    expect(waiterState().fds).toEqual([]);
    expect(epollTargets(epfd!)).toEqual([controlFd]);
  });

  it('rejects with EBADF for an fd that is not open', async () => {
    const closed = init();
    close(closed);
    await expect(waitReadable(closed)).rejects.toMatchObject({ code: 'EBADF', fd: closed });
  });

  it('rejects options of the wrong type', async () => {
    await expect(waitReadable(watched.fd, { signal: 'x' as never })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG_TYPE',
    });
    await expect(waitReadable(watched.fd, { timeoutMs: Number.NaN })).rejects.toMatchObject({
      code: 'ERR_OUT_OF_RANGE',
    });
  });
});

/** Runs a child node process with the built package; resolves its exit code, stdout and duration. */
function child(
  code: string,
  onStart?: () => void,
): Promise<{ code: number | null; stdout: string; ms: number }> {
  const start = performance.now();
  const proc = spawn(process.execPath, [
    '--input-type=module',
    '-e',
    `import * as S from ${JSON.stringify(DIST_INDEX)};\n${code}`,
  ]);
  let stdout = '';
  let started = false;
  proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (!started && stdout.includes('waiting')) {
      started = true;
      onStart?.();
    }
  });
  const killer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
  return new Promise((resolve) => {
    proc.on('exit', (exitCode) => {
      clearTimeout(killer);
      resolve({ code: exitCode, stdout, ms: performance.now() - start });
    });
  });
}

/** How many process exits the exit stress test makes (bounded by work: no time limit). */
const EXITS = 500;

describe('the waiter thread and process exit', () => {
  it('does not keep the process alive once nothing waits', async () => {
    const result = await child(`
      const fd = S.init();
      S.addWatch(fd, '/tmp', 0x100);
      console.log(await S.waitReadable(fd, { timeoutMs: 50 }));`);
    expect(result).toMatchObject({ code: 0, stdout: 'false\n' });
    expect(result.ms).toBeLessThan(10_000);
  });

  it('keeps the process alive while a wait without timeout is pending', async () => {
    const watched = tempDir();
    const result = await child(
      `const fd = S.init();
       S.addWatch(fd, ${JSON.stringify(watched)}, 0x100);
       S.waitReadable(fd).then((r) => console.log('resolved', r));
       console.log('waiting');`,
      () => setTimeout(() => writeFileSync(join(watched, 'wake'), ''), 300),
    );
    expect(result).toMatchObject({ code: 0, stdout: 'waiting\nresolved true\n' });
  });

  it('lets process.exit() end the process while a wait is pending', async () => {
    const result = await child(`
      const fd = S.init();
      S.addWatch(fd, '/tmp', 0x100);
      S.waitReadable(fd);
      console.log('waiting');
      setTimeout(() => process.exit(3), 100);`);
    expect(result).toMatchObject({ code: 3, stdout: 'waiting\n' });
  });

  it(`exits with the code given to process.exit(), never SIGABRT, in ${EXITS} exits spread over the waiter thread's start`, async () => {
    // Terminating the thread while it loads koffi's addon, or binds a function, aborted the
    // process ("FATAL ERROR: Error::ThrowAsJavaScriptException napi_throw", SIGABRT), in a few
    // exits per thousand. Each child learns from the kernel when the thread opens its script
    // (its imports, then koffi, load right after) and exits a different time later, spread
    // evenly over 0-40 ms; one in ten exits before the thread starts at all.
    const spins = Array.from({ length: EXITS }, (_, i) => (i % 10 === 0 ? null : ((i * 7919) % 4000) / 100));
    // Each child keeps two threads busy (main and waiter): one lane per two cores leaves the
    // rest of the machine to the other packages' tests, which run alongside and watch clocks.
    const lanes = Math.max(1, Math.floor(availableParallelism() / 2));
    const results = await mapLimited(spins, lanes, exitDuringLoad);
    const unexpected = results.filter((r) => r.code !== 3 || r.signal !== null || r.stderr !== '');
    expect(unexpected).toEqual([]);
    // The children did see the thread open its script, i.e. the exits did land during its start.
    expect(results.filter((r) => r.stdout === 'opened')).toHaveLength(spins.filter((s) => s !== null).length);
  }, 0); // bounded by its work (each child is killed after 20 s), not by a clock
});

/** The waiter thread's script: opening it is where the thread starts loading (koffi first). */
const DIST_WORKER = fileURLToPath(new URL('../dist/waiter-worker.js', import.meta.url));

interface ExitResult {
  readonly spinMs: number | null;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a child that starts a wait and calls `process.exit(3)` `spinMs` after the waiter
 * thread opened its script dist/waiter-worker.js (seen through an IN_OPEN watch), or at once when `spinMs` is null.
 */
function exitDuringLoad(spinMs: number | null): Promise<ExitResult> {
  const code =
    spinMs === null
      ? `S.waitReadable(S.createWakeFd());
         process.exit(3);`
      : `const watch = S.init();
         S.addWatch(watch, ${JSON.stringify(DIST_WORKER)}, ${IN.OPEN});
         S.waitReadable(S.createWakeFd());
         const opened = S.poll(watch, 10_000);
         const until = performance.now() + ${spinMs};
         while (performance.now() < until);
         process.stdout.write(opened ? 'opened' : 'not opened');
         process.exit(3);`;
  const proc = spawn(process.execPath, [
    '--input-type=module',
    '-e',
    `import * as S from ${JSON.stringify(DIST_INDEX)};\n${code}`,
  ]);
  let stdout = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  proc.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const killer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
  return new Promise((resolve) => {
    proc.on('close', (exitCode, signal) => {
      clearTimeout(killer);
      resolve({ spinMs, code: exitCode, signal, stdout, stderr: stderr.split('\n')[0]! });
    });
  });
}

/** Maps `items` through `fn` with at most `limit` calls pending at once, keeping the order. */
async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
