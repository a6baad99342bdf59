import { performance } from 'node:perf_hooks';
import type { Core } from '../core.js';
import type { InotifyEvent } from '../event.js';
import type { Consumer } from '../options.js';

/**
 * The `readDelayMs` pause due before the next read, if any: a promise that resolves when it is
 * over (the caller then loops), rejecting with `signal.reason` when `signal` aborts first;
 * `undefined` when the next read may run now.
 */
export function pauseBeforeRead(core: Core, signal: AbortSignal | undefined): Promise<void> | undefined {
  const ms = core.readDelayLeft();
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
 * Reads what the kernel holds (when nothing is buffered) into the decoder: a non-blocking read
 * first, so that a consumer keeping up with a stream never waits for the event loop. Returns
 * `false` when the kernel queue is empty, after running the idle hook; the hook may have
 * injected events.
 */
export function refill(core: Core): boolean {
  // The last read emptied the queue, and no layer needs to hear it is empty (no idle hook): a
  // read now would most likely find nothing, so leave it to the wait, which reads at once what
  // is queued. Saves a system call per wake-up at low rates.
  if (core.drained && core.interceptor?.idle === undefined) return false;
  if (core.fill() > 0) return true;
  core.idle();
  return core.hasBuffered();
}

/**
 * The async iterator behind `Inotify.events()`: the same events, pipeline and guarantees as the
 * synchronous generator, without ever blocking the event loop.
 */
export async function* asyncEvents(
  core: Core,
  c: Consumer,
  signal: AbortSignal | undefined,
): AsyncGenerator<InotifyEvent, void, undefined> {
  signal?.throwIfAborted();
  core.claim();
  try {
    let lastHit = performance.now();
    for (;;) {
      if (core.closed) return;
      signal?.throwIfAborted();
      const event = core.pull(c);
      if (event !== undefined) {
        yield event;
        continue;
      }
      const pause = pauseBeforeRead(core, signal);
      if (pause !== undefined) {
        await pause;
        continue;
      }
      if (refill(core)) continue;
      const now = performance.now();
      if (c.active) {
        lastHit = now;
        c.active = false;
      }
      let remaining: number | undefined;
      if (c.timeoutMs !== undefined) {
        remaining = lastHit + c.timeoutMs - now;
        if (remaining <= 0) return;
      }
      core.accept(await core.readAsync(signal, core.waitBound(remaining)));
    }
  } finally {
    core.release();
  }
}
