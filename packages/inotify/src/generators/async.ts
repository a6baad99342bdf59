import { performance } from 'node:perf_hooks';
import { pullEvent, SLICE_MS, yieldToEventLoop } from '../consume.js';
import type { InotifyEvent } from '../event.js';
import type { Consumer } from '../options.js';
import type { Pipeline } from '../pipeline.js';
import type { RecordSource } from '../source.js';

/**
 * The `readDelayMs` pause due before the next read, if any: a promise that resolves when it is
 * over (the caller then loops), rejecting with `signal.reason` when `signal` aborts first;
 * `undefined` when the next read may run now.
 */
export function pauseBeforeRead(p: Pipeline, signal: AbortSignal | undefined): Promise<void> | undefined {
  const ms = p.source.readDelayLeft();
  if (ms <= 0) return undefined;
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * What an async consumer does when nothing is ready: `'work'` after running a slice of the
 * pipeline's own work (the caller gives the event loop a turn first), `'read'` after a
 * non-blocking read that found records, or `'wait'`: the queue is empty, wait for it.
 */
export function refill(p: Pipeline): 'work' | 'read' | 'wait' {
  if (p.working()) {
    p.work(SLICE_MS);
    return 'work';
  }
  const source = p.source;
  // The last read emptied the queue: a read now would most likely find nothing, so leave it to
  // the wait, which reads at once what is queued. One system call less per wake-up.
  if (source.drained) return 'wait';
  return source.fill() > 0 ? 'read' : 'wait';
}

/**
 * Decodes what an async read brought. A wait that ended with nothing (its time was up) is
 * followed by one non-blocking read: a waiter that was slow to report (the waiter thread still
 * starting on a busy machine) must not make a consumer time out with events queued.
 */
export function readOrCheck(source: RecordSource, n: number): void {
  if (source.accept(n) === 0 && !source.closed) source.fill();
}

/** The wait bound of an async consumer: `timeoutMs`, bounded by the pipeline's `wakeInMs()`. */
export function waitBound(p: Pipeline, timeoutMs: number | undefined): number | undefined {
  const wake = p.wakeInMs();
  if (wake === undefined) return timeoutMs;
  return timeoutMs === undefined ? Math.max(0, wake) : Math.min(timeoutMs, Math.max(0, wake));
}

/** The generator behind {@link asyncEvents}, which shares `st` with it. */
async function* eventGenerator(
  p: Pipeline,
  c: Consumer,
  signal: AbortSignal | undefined,
  st: Shared,
): AsyncGenerator<InotifyEvent, void, undefined> {
  signal?.throwIfAborted();
  const source = p.source;
  source.claim();
  try {
    let lastHit = performance.now();
    st.sliceStart = lastHit;
    for (;;) {
      if (source.closed) return;
      signal?.throwIfAborted();
      // A long run of buffered events (and the consumer's work on each) is one chain of
      // microtasks: look at the clock every 64 events.
      if ((++st.delivered & 63) === 0 && performance.now() - st.sliceStart >= SLICE_MS) {
        await yieldToEventLoop();
        st.sliceStart = performance.now();
        continue;
      }
      const event = pullEvent(p, c);
      if (event !== undefined) {
        st.queued--;
        st.parked = true;
        yield event;
        st.parked = false;
        continue;
      }
      const now = performance.now();
      if (now - st.sliceStart >= SLICE_MS) {
        await yieldToEventLoop();
        st.sliceStart = performance.now();
        continue;
      }
      const pause = pauseBeforeRead(p, signal);
      if (pause !== undefined) {
        await pause;
        st.sliceStart = performance.now();
        continue;
      }
      if (refill(p) !== 'wait') continue;
      if (c.active) {
        lastHit = now;
        c.active = false;
      }
      let remaining: number | undefined;
      if (c.timeoutMs !== undefined) {
        remaining = lastHit + c.timeoutMs - now;
        if (remaining <= 0) return;
      }
      readOrCheck(source, await source.readAsync(signal, waitBound(p, remaining)));
      st.sliceStart = performance.now();
    }
  } finally {
    st.parked = false;
    st.queued = 0;
    source.release();
  }
}

/** What {@link eventGenerator} and the iterator around it share. */
interface Shared {
  /** The generator is suspended at a `yield`. */
  parked: boolean;
  /** Requests passed to the generator that it has not answered with an event yet. */
  queued: number;
  /** Events delivered in this slice (the clock is looked at every 64). */
  delivered: number;
  /** `performance.now()` when the event loop last had a turn. */
  sliceStart: number;
}

/**
 * The iterator `events()` returns: {@link eventGenerator}, with a fast path for buffered events.
 * While the generator is suspended at a `yield` and has no request of the caller's to answer,
 * `next()` hands out an event already read as a resolved promise, without resuming the
 * generator (which would cost a generator resumption and a microtask hop per event). Everything
 * else goes to the generator, in the order asked: the first `next()` (the signal check and the
 * ERR_INOTIFY_BUSY claim), reads and waits, `timeoutS`, `close()`, an aborted signal, every
 * 64th event (the generator then gives the event loop a turn if a slice of {@link SLICE_MS} is
 * over), `return()` and `throw()`. An error of the consumer's options (a terminal event, a
 * throwing `filterPredicate`) is thrown into the suspended generator, which ends as if it had
 * thrown it itself.
 */
class EventIterator implements AsyncGenerator<InotifyEvent, void, undefined> {
  readonly #gen: AsyncGenerator<InotifyEvent, void, undefined>;
  readonly #p: Pipeline;
  readonly #c: Consumer;
  readonly #signal: AbortSignal | undefined;
  readonly #st: Shared = { parked: false, queued: 0, delivered: 0, sliceStart: 0 };

  constructor(p: Pipeline, c: Consumer, signal: AbortSignal | undefined) {
    this.#p = p;
    this.#c = c;
    this.#signal = signal;
    this.#gen = eventGenerator(p, c, signal, this.#st);
  }

  next(): Promise<IteratorResult<InotifyEvent, void>> {
    const st = this.#st;
    if (
      st.parked &&
      st.queued === 0 &&
      (st.delivered & 63) !== 63 &&
      !this.#p.source.closed &&
      this.#signal?.aborted !== true
    ) {
      let event: InotifyEvent | undefined;
      try {
        event = pullEvent(this.#p, this.#c);
      } catch (error) {
        return this.throw(error);
      }
      if (event !== undefined) {
        st.delivered++;
        return Promise.resolve({ value: event, done: false });
      }
    }
    st.queued++;
    return this.#gen.next();
  }

  return(value?: void | PromiseLike<void>): Promise<IteratorResult<InotifyEvent, void>> {
    this.#st.queued++;
    return this.#gen.return(value as undefined);
  }

  throw(error: unknown): Promise<IteratorResult<InotifyEvent, void>> {
    this.#st.queued++;
    return this.#gen.throw(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }
}

/**
 * The async iterator behind `events()`: the same events, pipeline and guarantees as the
 * synchronous generator, without blocking the event loop: it waits on the reader, and gives the
 * event loop a turn at least every {@link SLICE_MS} of continuous delivery or work.
 */
export function asyncEvents(
  p: Pipeline,
  c: Consumer,
  signal: AbortSignal | undefined,
): AsyncGenerator<InotifyEvent, void, undefined> {
  return new EventIterator(p, c, signal);
}
