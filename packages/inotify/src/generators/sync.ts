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
 * The synchronous generator behind `Inotify.eventGen()`.
 *
 * One cycle: deliver what is buffered; block in poll(2) for at most `blockMs()` (less when the
 * timeout is nearer); read what the kernel holds at that moment (`FIONREAD` bytes, in reads of
 * at most the decoder's capacity) and deliver it; run the idle hook when the queue is empty; stop
 * when `timeoutMs` passed without an event; yield `null` when `yieldNones`. Events read but not
 * delivered when the consumer stops stay in `core` for the next generator.
 */
export function* syncEvents(
  core: Core,
  c: Consumer,
  yieldNones: boolean,
  blockMs: () => number,
): Generator<InotifyEvent | null, void, undefined> {
  let lastHit = performance.now();
  for (;;) {
    yield* drain(core, c);
    if (core.closed) return;
    let waitMs = core.waitBound(blockMs())!;
    if (c.timeoutMs !== undefined)
      waitMs = Math.min(waitMs, Math.max(0, lastHit + c.timeoutMs - performance.now()));
    if (core.poll(Math.ceil(waitMs))) {
      // Only what is queued now: under a constant stream a cycle still ends, and null still comes.
      let budget = core.pendingBytes();
      while (budget > 0) {
        const n = core.fill(budget);
        if (n === 0) break;
        budget -= n;
        yield* drain(core, c);
        if (core.closed) return;
      }
    }
    if (core.pendingBytes() === 0) {
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
