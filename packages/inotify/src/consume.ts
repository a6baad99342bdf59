/**
 * The one consumer loop's per-event step, shared by `eventGen()` and `events()`: the consumer's
 * options applied to the next event of a pipeline. `terminalEvents` and `filterPredicate` live
 * here and nowhere else.
 */
import { IN_Q_OVERFLOW } from '@inotify-ts/decoder';
import { TerminalEventError } from './errors.js';
import type { InotifyEvent } from './event.js';
import type { Consumer } from './options.js';
import type { Pipeline } from './pipeline.js';

/**
 * The next event for consumer `c`, consumed, or `undefined` when none is ready. An event listed
 * in `terminalEvents` is consumed and thrown as a `TerminalEventError`; one `filterPredicate`
 * rejects is consumed and skipped. A `filterPredicate` that throws leaves its event unconsumed
 * (the next pull offers it again) and the error propagates.
 */
export function pullEvent(p: Pipeline, c: Consumer): InotifyEvent | undefined {
  for (;;) {
    const event = p.peek();
    if (event === undefined) return undefined;
    c.active = true;
    const names = event.typeNames;
    if (c.terminal.size > 0) {
      for (const name of names) {
        if (c.terminal.has(name)) {
          p.take();
          throw new TerminalEventError(name, event);
        }
      }
    }
    const filter = c.filterPredicate;
    if (filter !== undefined && (event.header.mask & IN_Q_OVERFLOW) === 0) {
      let keep = true;
      for (const name of names) {
        if (filter(name, event) === false) {
          keep = false;
          break;
        }
      }
      p.take();
      if (!keep) continue;
      return event;
    }
    p.take();
    return event;
  }
}

/**
 * Gives the event loop a turn (a macrotask), so that timers and I/O run between slices of work
 * that would otherwise continue through microtasks alone.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The longest an async consumer works through microtasks before it gives the event loop a turn. */
export const SLICE_MS = 4;
