import type { EventBatch } from '@inotify-ts/decoder';
import type { Core } from '../core.js';
import { pauseBeforeRead, refill } from './async.js';

/**
 * The async iterator behind `Inotify.batches()`: every read of the kernel queue as one columnar
 * batch, straight from the decoder's memory. A batch stays valid until the iterator is advanced
 * (the next read reuses the memory); copy what must outlive it. `IN_IGNORED` ends its watch
 * once the consumer advances past the batch, so `pathOf()` works for every record of the batch
 * while the consumer holds it.
 */
export async function* batchEvents(
  core: Core,
  signal: AbortSignal | undefined,
): AsyncGenerator<EventBatch, void, undefined> {
  signal?.throwIfAborted();
  core.claim();
  try {
    for (;;) {
      if (core.closed) return;
      signal?.throwIfAborted();
      const taken = core.takeBatch();
      if (taken !== undefined) {
        const batch = core.interceptor?.batch?.(taken) ?? taken;
        try {
          yield batch;
        } finally {
          if (!core.closed) core.forgetIgnored(batch);
        }
        continue;
      }
      const pause = pauseBeforeRead(core, signal);
      if (pause !== undefined) {
        await pause;
        continue;
      }
      if (refill(core)) continue;
      core.accept(await core.readAsync(signal, core.waitBound(undefined)));
    }
  } finally {
    core.release();
  }
}
