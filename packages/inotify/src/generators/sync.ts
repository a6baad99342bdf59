import { performance } from 'node:perf_hooks';
import { pullEvent } from '../consume.js';
import type { InotifyEvent } from '../event.js';
import type { Consumer } from '../options.js';
import type { Pipeline } from '../pipeline.js';

/** Everything ready, stopping early when the instance is closed by the consumer. */
function* drain(p: Pipeline, c: Consumer): Generator<InotifyEvent, void, undefined> {
  for (;;) {
    const source = p.source;
    if (source.closed) return;
    source.assertIdle();
    const event = pullEvent(p, c);
    if (event !== undefined) {
      yield event;
      continue;
    }
    if (!p.working()) return;
    p.work(Number.POSITIVE_INFINITY);
  }
}

/**
 * The most a cycle reads before it ends (at least one read): under a stream the consumer cannot
 * keep up with, a cycle still ends, and null still comes. 1 MiB is the default read buffer 4 times.
 */
const MAX_CYCLE_BYTES = 1 << 20;

/** A word nothing ever notifies: `Atomics.wait` on it only times out. */
const SLEEP_WORD = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the thread for `ms` milliseconds (a `readDelayMs` pause). */
function sleep(ms: number): void {
  Atomics.wait(SLEEP_WORD, 0, 0, ms);
}

/**
 * The synchronous generator behind `eventGen()`, over any pipeline.
 *
 * One cycle: deliver what is ready; block in poll(2) for at most `blockMs()` (less when the
 * timeout is nearer, and in steps no longer than the pipeline's `wakeInMs()`, pulling it after
 * each step), unless records are known to be queued; read what the kernel holds and deliver it,
 * read after read, until a read leaves the queue empty or the cycle read {@link MAX_CYCLE_BYTES};
 * stop when `timeoutMs` passed without an event; yield `null` when `yieldNones`. Events read but
 * not delivered when the consumer stops stay in the record source for the next generator.
 * Refused (ERR_INOTIFY_BUSY) while an `events()`/`batches()` iterator runs on the instance.
 */
export function* syncEvents(
  p: Pipeline,
  c: Consumer,
  yieldNones: boolean,
  blockMs: () => number,
): Generator<InotifyEvent | null, void, undefined> {
  const source = p.source;
  let lastHit = performance.now();
  /** Records are queued (seen at the end of the last cycle): no need to wait for them. */
  let queued = false;
  for (;;) {
    yield* drain(p, c);
    if (source.closed) return;
    const start = performance.now();
    let cycleMs = blockMs();
    if (c.timeoutMs !== undefined) cycleMs = Math.min(cycleMs, Math.max(0, lastHit + c.timeoutMs - start));
    // readDelayMs: let events pile up after the last read, within this cycle's wait.
    const delay = Math.min(source.readDelayLeft(), cycleMs);
    if (delay > 0) sleep(delay);
    let readable = queued;
    while (!readable) {
      const left = cycleMs - (performance.now() - start);
      const wake = p.wakeInMs();
      const step = wake === undefined ? Math.max(0, left) : Math.max(0, Math.min(left, wake));
      source.assertIdle();
      readable = source.poll(Math.ceil(step));
      if (readable || step >= left) break;
      // Woken for the pipeline's own work (a deferred rescan): pull, then wait on.
      yield* drain(p, c);
      if (source.closed) return;
    }
    queued = false;
    if (readable) {
      let read = 0;
      do {
        source.assertIdle();
        read += source.fill();
        yield* drain(p, c);
        if (source.closed) return;
      } while (!source.drained && read < MAX_CYCLE_BYTES);
      // Delivering may have queued events (a tree's own listing): ask the kernel, after it.
      queued = !source.drained || source.pendingBytes() > 0;
    }
    const now = performance.now();
    if (c.active) {
      lastHit = now;
      c.active = false;
    }
    if (c.timeoutMs !== undefined && now - lastHit >= c.timeoutMs) return;
    if (yieldNones) yield null;
  }
}
