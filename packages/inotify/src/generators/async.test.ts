import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ev,
  openFds,
  openWriteClose,
  originalExampleEvents,
  producer,
  removeDir,
  runOriginalExample,
  sleep,
  tempDir,
  threads,
  tuple,
  within,
} from '../../test/helpers.js';
import { type AsyncReads, IN_CREATE, Inotify, type InotifyEvent } from '../index.js';

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => removeDir(dir));

/**
 * Has one wait deliver an event (started the shared waiter thread, for `'thread'` reads, and
 * loaded what the wait loads), before a baseline of fds and threads is taken.
 */
async function warmUp(asyncReads: AsyncReads): Promise<void> {
  using i = new Inotify({ asyncReads });
  i.addWatch(dir, IN_CREATE);
  const pending = i.events().next();
  await sleep(20);
  openWriteClose(path.join(dir, 'warm-up'));
  await within(5000, 'the warm-up event', pending);
  await fs.promises.readFile(fileURLToPath(import.meta.url));
}

it('events() waits on the event loop by default, and starts no thread to wait', async () => {
  await warmUp('event-loop');
  const tasks = threads();
  using i = new Inotify();
  i.addWatch(dir, IN_CREATE);
  const first = i.events().next();
  await sleep(50);
  expect(threads()).toBe(tasks);
  openWriteClose(path.join(dir, 'late'));
  const { value } = await within(5000, 'the event', first);
  expect((value as InotifyEvent).filename).toBe('late');
  expect(threads()).toBe(tasks);
});

describe.each(['event-loop', 'thread'] as const)('events() with %s reads', (asyncReads) => {
  it("yields the Python package's example events", async () => {
    using i = new Inotify({ asyncReads });
    i.addWatch(dir);
    runOriginalExample(dir);
    const events = [];
    for await (const e of i.events({ timeoutS: 0.3 })) events.push(tuple(e));
    expect(events).toEqual(originalExampleEvents(dir));
  });

  it('receives events that happen while it waits', async () => {
    using i = new Inotify({ asyncReads });
    i.addWatch(dir, IN_CREATE);
    const first = i.events().next();
    await sleep(50);
    openWriteClose(path.join(dir, 'late'));
    const { value } = await within(5000, 'the event', first);
    expect(tuple(value as InotifyEvent)).toEqual(ev(1, IN_CREATE, ['IN_CREATE'], dir, 'late'));
  });

  it('keeps the event loop running while it waits, and an abort ends it promptly', async () => {
    using i = new Inotify({ asyncReads });
    i.addWatch(dir);
    const controller = new AbortController();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    try {
      const iterator = i.events({ signal: controller.signal });
      const next = iterator.next();
      await sleep(250);
      expect(ticks).toBeGreaterThanOrEqual(5);
      controller.abort();
      await expect(within(2000, 'the aborted wait', next)).rejects.toMatchObject({ name: 'AbortError' });
      expect(await iterator.next()).toEqual({ done: true, value: undefined });
    } finally {
      clearInterval(timer);
    }
    // The instance is free again.
    openWriteClose(path.join(dir, 'after'));
    const { value } = await i.events().next();
    expect((value as InotifyEvent).filename).toBe('after');
  });

  it('rejects at once with an already aborted signal', async () => {
    using i = new Inotify({ asyncReads });
    const reason = new Error('stop');
    await expect(i.events({ signal: AbortSignal.abort(reason) }).next()).rejects.toBe(reason);
  });

  it('ends after timeoutS without an event', async () => {
    using i = new Inotify({ asyncReads });
    i.addWatch(dir);
    const start = performance.now();
    const events = [];
    for await (const e of i.events({ timeoutS: 0.2 })) events.push(e);
    expect(events).toEqual([]);
    expect(performance.now() - start).toBeGreaterThanOrEqual(199);
  });

  it('gives a second concurrent consumer ERR_INOTIFY_BUSY', async () => {
    using i = new Inotify({ asyncReads });
    i.addWatch(dir, IN_CREATE);
    const controller = new AbortController();
    const first = i.events({ signal: controller.signal });
    const pending = first.next();
    await expect(i.events().next()).rejects.toMatchObject({
      code: 'ERR_INOTIFY_BUSY',
      errno: 16,
      syscall: 'read',
    });
    await expect(i.batches().next()).rejects.toMatchObject({ code: 'ERR_INOTIFY_BUSY' });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('does not stall fs.promises while ten iterators wait on ten instances', async () => {
    const instances = Array.from({ length: 10 }, (_, k) => {
      const sub = path.join(dir, `d${k}`);
      fs.mkdirSync(sub);
      return new Inotify({ paths: [sub], asyncReads });
    });
    try {
      const firsts = instances.map((i) => i.events().next());
      await sleep(50);
      const file = path.join(dir, 'payload');
      fs.writeFileSync(file, 'payload');
      const reads = Array.from({ length: 8 }, () => fs.promises.readFile(file, 'utf8'));
      expect(await within(5000, 'fs.promises.readFile', Promise.all(reads))).toEqual(
        Array(8).fill('payload'),
      );
      for (let k = 0; k < 10; k++) openWriteClose(path.join(dir, `d${k}`, `f${k}`));
      const results = await within(5000, 'ten events', Promise.all(firsts));
      expect(results.map((r) => (r.value as InotifyEvent).filename)).toEqual(
        Array.from({ length: 10 }, (_, k) => `f${k}`),
      );
    } finally {
      for (const i of instances) i.close();
    }
  });

  it('leaves no fd or thread behind after break, and after close() during a wait', async () => {
    await warmUp(asyncReads);
    const fds = openFds();
    const tasks = threads();
    for (let round = 0; round < 5; round++) {
      const i = new Inotify({ asyncReads });
      i.addWatch(dir, IN_CREATE);
      const withInstance = openFds();
      openWriteClose(path.join(dir, `f${round}`));
      for await (const _ of i.events()) break;
      // The instance keeps its reader for the next iterator: on the event loop, that is the
      // duplicate fd libuv reads; close() releases it.
      expect(openFds()).toBe(withInstance + (asyncReads === 'event-loop' ? 1 : 0));

      const next = i.events().next();
      await sleep(20);
      i.close();
      expect(await within(2000, 'the closed wait', next)).toEqual({ done: true, value: undefined });
    }
    expect(openFds()).toBe(fds);
    expect(threads()).toBe(tasks);
  });

  it('delivers 50,000 events in order and complete', async () => {
    using i = new Inotify({ asyncReads });
    i.addWatch(dir, IN_CREATE);
    // Ten refills of the producer's 5,000 (three kernel queues' worth): more proves nothing more.
    const total = 50_000;
    const source = producer(dir, total);
    let received = 0;
    let mismatch: string | undefined;
    for await (const e of i.events({ timeoutS: 5 })) {
      if (mismatch === undefined && (e.filename !== `f${received}` || e.header.mask !== IN_CREATE)) {
        mismatch = `event ${received}: ${e.typeNames.join('|')} ${e.filename}`;
      }
      if (source.received(++received)) break;
    }
    expect(mismatch).toBeUndefined();
    expect(received).toBe(total);
  }, 300_000); // bounded by its work: a busy machine may take long, the test never fails for it
});
