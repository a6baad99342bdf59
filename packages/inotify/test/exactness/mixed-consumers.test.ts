/**
 * Mixed consumers on one instance: while an `events()` or `batches()` iterator runs (from its
 * first `next()` until it finishes), `eventGen()` is refused with ERR_INOTIFY_BUSY, both when it
 * is called and when a generator made before is resumed; nothing is lost, because the buffer of
 * read events belongs to the instance and is delivered in order by whoever may read.
 */
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AsyncReads,
  IN_CLOSE_WRITE,
  IN_CREATE,
  IN_OPEN,
  Inotify,
  InotifyError,
  type InotifyEvent,
} from '../../src/index.js';
import { openWriteClose, removeDir, sleep, tempDir, within } from '../helpers.js';
import { kev, type Rec, recOf, recsOfBatch } from './helpers.js';

let dir: string;
beforeEach(() => {
  dir = tempDir('inotify-ts-mixed-');
});
afterEach(() => removeDir(dir));

const NAMES = ['a', 'b', 'c', 'd'];

/** What `f` throws (the test fails if it returns). */
function thrownBy(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw, but the call returned');
}

/** Asserts that `error` is the ERR_INOTIFY_BUSY refusal, shaped as Node's own system errors. */
function expectBusy(error: unknown): void {
  expect(error).toBeInstanceOf(InotifyError);
  expect(error).toMatchObject({ code: 'ERR_INOTIFY_BUSY', errno: os.constants.errno.EBUSY, syscall: 'read' });
}

/** Every event of `openWriteClose` of each name, in order, on watch `wd` of `dir`. */
function written(wd: number, names: readonly string[]): Rec[] {
  return names.flatMap((n) => [
    kev(wd, IN_CREATE, dir, n),
    kev(wd, IN_OPEN, dir, n),
    kev(wd, IN_CLOSE_WRITE, dir, n),
  ]);
}

/** The rest of an iterator that already started, until it ends. */
async function rest<T, R>(it: AsyncIterator<T>, map: (value: T) => R[]): Promise<R[]> {
  const out: R[] = [];
  for (;;) {
    const { done, value } = await within(10_000, 'the next event', it.next());
    if (done === true) return out;
    out.push(...map(value));
  }
}

describe.each(['event-loop', 'thread'] as const)('with %s async reads', (asyncReads: AsyncReads) => {
  it('refuses eventGen() synchronously with ERR_INOTIFY_BUSY while events() waits, and events() then yields every event of a, b, c and d in order', async () => {
    using i = new Inotify({ asyncReads });
    const wd = i.addWatch(dir);
    const it = i.events({ timeoutS: 0.3 });
    const first = it.next();
    await sleep(20);
    expectBusy(thrownBy(() => i.eventGen()));
    for (const n of NAMES) openWriteClose(path.join(dir, n));
    const head = await within(10_000, 'the first event', first);
    const events = [recOf(head.value as InotifyEvent), ...(await rest(it, (e) => [recOf(e)]))];
    expect(events).toEqual(written(wd, NAMES));
  });

  it('loses none of a, b, c and d when a consumer tries eventGen() while events() waits', async () => {
    using i = new Inotify({ asyncReads });
    const wd = i.addWatch(dir);
    const it = i.events({ timeoutS: 0.3 });
    const first = it.next();
    await sleep(20);
    for (const n of NAMES) openWriteClose(path.join(dir, n));
    await sleep(20);
    // What a consumer that tries would get: the refusal (or, were it allowed, events it takes).
    const taken: Rec[] = [];
    let refusal: unknown;
    try {
      const r = i.eventGen({ yieldNones: false, timeoutS: 0.3 }).next();
      if (r.done !== true && r.value !== null) taken.push(recOf(r.value));
    } catch (error) {
      refusal = error;
    }
    const head = await within(10_000, 'the first event', first);
    const events = [recOf(head.value as InotifyEvent), ...(await rest(it, (e) => [recOf(e)]))];
    expect([...taken, ...events]).toEqual(written(wd, NAMES));
    expectBusy(refusal);
  });

  it('refuses eventGen() while batches() waits, and batches() then delivers every record of a, b, c and d in order', async () => {
    using i = new Inotify({ asyncReads });
    const wd = i.addWatch(dir);
    const controller = new AbortController();
    const it = i.batches({ signal: controller.signal });
    const first = it.next();
    await sleep(20);
    expectBusy(thrownBy(() => i.eventGen()));
    for (const n of NAMES) openWriteClose(path.join(dir, n));
    const records: Rec[] = [];
    const head = await within(10_000, 'the first batch', first);
    records.push(...recsOfBatch(i, head.value!));
    while (records.length < 12) {
      expectBusy(thrownBy(() => i.eventGen()));
      const { value } = await within(10_000, 'the next batch', it.next());
      records.push(...recsOfBatch(i, value!));
    }
    await it.return(undefined);
    expect(records).toEqual(written(wd, NAMES));
  });

  it('throws ERR_INOTIFY_BUSY from next() of an eventGen() generator suspended after a while events() runs, and events() yields b, c and d next', async () => {
    using i = new Inotify({ asyncReads });
    const wd = i.addWatch(dir, IN_CREATE);
    for (const n of NAMES) openWriteClose(path.join(dir, n));
    const gen = i.eventGen({ yieldNones: false, timeoutS: 0.3 });
    expect(recOf(gen.next().value as InotifyEvent)).toEqual(kev(wd, IN_CREATE, dir, 'a'));
    const it = i.events({ timeoutS: 0.3 });
    const second = it.next();
    expectBusy(thrownBy(() => gen.next()));
    const b = await within(10_000, 'the event after a', second);
    // A generator that threw has ended (JavaScript generators do not resume after a throw).
    expect(gen.next()).toEqual({ done: true, value: undefined });
    const events = [recOf(b.value as InotifyEvent), ...(await rest(it, (e) => [recOf(e)]))];
    expect(events).toEqual(['b', 'c', 'd'].map((n) => kev(wd, IN_CREATE, dir, n)));
  });

  it('delivers b, c and d through batches() after an eventGen() generator yielded a from the same read', async () => {
    using i = new Inotify({ asyncReads });
    const wd = i.addWatch(dir, IN_CREATE);
    for (const n of NAMES) openWriteClose(path.join(dir, n));
    const gen = i.eventGen({ yieldNones: false, timeoutS: 0.3 });
    expect(recOf(gen.next().value as InotifyEvent)).toEqual(kev(wd, IN_CREATE, dir, 'a'));
    const it = i.batches();
    const records: Rec[] = [];
    while (records.length < 3) {
      const { value } = await within(10_000, 'the next batch', it.next());
      records.push(...recsOfBatch(i, value!));
      expectBusy(thrownBy(() => gen.next()));
    }
    await it.return(undefined);
    expect(records).toEqual(['b', 'c', 'd'].map((n) => kev(wd, IN_CREATE, dir, n)));
  });

  it('allows eventGen() before the first next() of events() and again once events() has finished', async () => {
    using i = new Inotify({ asyncReads });
    const wd = i.addWatch(dir, IN_CREATE);
    const it = i.events();
    openWriteClose(path.join(dir, 'a'));
    const before = i.eventGen({ yieldNones: false });
    expect(recOf(before.next().value as InotifyEvent)).toEqual(kev(wd, IN_CREATE, dir, 'a'));
    before.return();
    const pending = it.next();
    openWriteClose(path.join(dir, 'b'));
    expect(recOf((await within(10_000, 'the event', pending)).value as InotifyEvent)).toEqual(
      kev(wd, IN_CREATE, dir, 'b'),
    );
    await it.return(undefined);
    openWriteClose(path.join(dir, 'c'));
    const after = i.eventGen({ yieldNones: false });
    expect(recOf(after.next().value as InotifyEvent)).toEqual(kev(wd, IN_CREATE, dir, 'c'));
  });
});

/** Lets the event loop turn `n` times (libuv reads an armed fd in its poll phase). */
async function turns(n: number): Promise<void> {
  for (let k = 0; k < n; k++) await new Promise((resolve) => setImmediate(resolve));
}

describe('with event-loop reads, whose fd stays armed between reads', () => {
  it('hands eventGen() the events read ahead after events() finished before those still queued, in order', async () => {
    using i = new Inotify({ asyncReads: 'event-loop' });
    const wd = i.addWatch(dir, IN_CREATE);
    const it = i.events();
    const pending = it.next();
    openWriteClose(path.join(dir, 'a'));
    expect(recOf((await within(10_000, 'the event', pending)).value as InotifyEvent)).toEqual(
      kev(wd, IN_CREATE, dir, 'a'),
    );
    await it.return(undefined);
    // b arrives while no read is pending: libuv reads it ahead (staged); c stays in the kernel.
    openWriteClose(path.join(dir, 'b'));
    await turns(50);
    openWriteClose(path.join(dir, 'c'));
    const gen = i.eventGen({ yieldNones: false, timeoutS: 0.3 });
    expect([...gen].map((e) => recOf(e!))).toEqual(['b', 'c'].map((n) => kev(wd, IN_CREATE, dir, n)));
  });

  it('hands batches() the events read ahead while a batch was held, with what followed them, in order', async () => {
    using i = new Inotify({ asyncReads: 'event-loop' });
    const wd = i.addWatch(dir, IN_CREATE);
    const it = i.batches();
    const pending = it.next();
    openWriteClose(path.join(dir, 'a'));
    const first = (await within(10_000, 'the first batch', pending)).value!;
    // While the consumer holds the batch of a, b and c arrive; b is read ahead and must not
    // overwrite the held batch.
    openWriteClose(path.join(dir, 'b'));
    await turns(50);
    openWriteClose(path.join(dir, 'c'));
    await turns(50);
    expect(recsOfBatch(i, first)).toEqual([kev(wd, IN_CREATE, dir, 'a')]);
    const records: Rec[] = [];
    while (records.length < 2) {
      const { value } = await within(10_000, 'the next batch', it.next());
      records.push(...recsOfBatch(i, value!));
    }
    await it.return(undefined);
    expect(records).toEqual(['b', 'c'].map((n) => kev(wd, IN_CREATE, dir, n)));
  });
});
