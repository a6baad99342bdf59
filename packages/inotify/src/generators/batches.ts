import { performance } from 'node:perf_hooks';
import type { EventBatch } from '@inotify-ts/decoder';
import { SLICE_MS, yieldToEventLoop } from '../consume.js';
import type { Pipeline } from '../pipeline.js';
import { pauseBeforeRead, readOrCheck, refill, waitBound } from './async.js';

/**
 * The async iterator behind `batches()`: every read of the kernel queue as one columnar batch,
 * straight from the decoder's memory (a tree may cut a read into several batches, and hands out
 * its synthetic events as batches of their own). A batch stays valid until the iterator is
 * advanced; `IN_IGNORED` ends its watch then, so the path of every record's wd can be asked
 * while the consumer holds the batch.
 */
export async function* batchEvents(
  p: Pipeline,
  signal: AbortSignal | undefined,
): AsyncGenerator<EventBatch, void, undefined> {
  signal?.throwIfAborted();
  const source = p.source;
  source.claim();
  try {
    let sliceStart = performance.now();
    for (;;) {
      if (source.closed) return;
      signal?.throwIfAborted();
      const batch = p.peekBatch();
      if (batch !== undefined) {
        try {
          yield batch;
        } finally {
          if (!source.closed) p.takeBatch();
        }
        continue;
      }
      if (performance.now() - sliceStart >= SLICE_MS) {
        await yieldToEventLoop();
        sliceStart = performance.now();
        continue;
      }
      const pause = pauseBeforeRead(p, signal);
      if (pause !== undefined) {
        await pause;
        sliceStart = performance.now();
        continue;
      }
      if (refill(p) !== 'wait') continue;
      readOrCheck(source, await source.readAsync(signal, waitBound(p, undefined)));
      sliceStart = performance.now();
    }
  } finally {
    source.release();
  }
}
