import { performance } from 'node:perf_hooks';
import type { Core } from '../core.js';
import type { InotifyEvent } from '../event.js';
import type { Consumer } from '../options.js';

/** Everything buffered, stopping early when the instance is closed by the consumer. */
function* drain(core: Core, c: Consumer): Generator<InotifyEvent, void, undefined> {
  let event: InotifyEvent | undefined;
  while (!core.closed && (event = core.pull(c)) !== undefined) yield event;
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
 * The synchronous generator behind `Inotify.eventGen()`.
 *
 * One cycle: deliver what is buffered; call `blockMs()`; sleep out a `readDelayMs` pause; block in poll(2) for at most that (less
 * when the timeout is nearer), unless events are known to be queued; read what the kernel holds and
 * deliver it, read after read (no `FIONREAD` before a read), until a read leaves the queue empty
 * or the cycle has read {@link MAX_CYCLE_BYTES}; then, once, whether the queue is empty now that
 * the events were delivered (`FIONREAD`), and if so run the idle hook; stop when `timeoutMs`
 * passed without an event; yield `null` when `yieldNones`. Events read but not delivered when
 * the consumer stops stay in `core` for the next generator.
 */
export function* syncEvents(
  core: Core,
  c: Consumer,
  yieldNones: boolean,
  blockMs: () => number,
): Generator<InotifyEvent | null, void, undefined> {
  let lastHit = performance.now();
  /** Events are queued (seen at the end of the last cycle): no need to wait for them. */
  let queued = false;
  for (;;) {
    yield* drain(core, c);
    if (core.closed) return;
    let waitMs = core.waitBound(blockMs())!;
    if (c.timeoutMs !== undefined)
      waitMs = Math.min(waitMs, Math.max(0, lastHit + c.timeoutMs - performance.now()));
    // readDelayMs: let events pile up after the last read, within this cycle's wait.
    const delay = Math.min(core.readDelayLeft(), waitMs);
    if (delay > 0) {
      sleep(delay);
      waitMs -= delay;
    }
    let readable = queued;
    if (!queued) readable = core.poll(Math.ceil(waitMs));
    // After a poll that timed out, the queue is empty and nothing was delivered since.
    queued = false;
    if (readable) {
      let read = 0;
      do {
        read += core.fill();
        yield* drain(core, c);
        if (core.closed) return;
      } while (!core.drained && read < MAX_CYCLE_BYTES);
      // Delivering may have queued events (an interceptor's scan): ask the kernel, after it.
      queued = !core.drained || core.pendingBytes() > 0;
    }
    if (!queued) {
      core.idle();
      yield* drain(core, c);
      if (core.closed) return;
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
