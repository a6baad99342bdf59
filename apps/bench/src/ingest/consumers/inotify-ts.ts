/**
 * The three inotify-ts consumers, one per way of reading: the synchronous
 * generator, the async event iterator and the columnar batch iterator. Each passes
 * every event's mask and name to the sink (which checks the producer's order), and
 * asks for IN_Q_OVERFLOW to be delivered as an event rather than thrown.
 */
import { Inotify, type InotifyOptions } from '@inotify-ts/inotify';
import type { ConsumerConfig } from '../protocol.js';
import { ready, type Sink } from '../sink.js';

type Config = Pick<ConsumerConfig, 'dir' | 'mask' | 'inotifyOptions'>;

function armed({ dir, mask, inotifyOptions }: Config): Inotify {
  const inotify = new Inotify(inotifyOptions as InotifyOptions | undefined);
  inotify.addWatch(dir, mask);
  ready();
  return inotify;
}

/** `for (const event of inotify.eventGen())`: blocks the thread in poll(2) between reads. */
export async function eventGen(config: Config, sink: Sink): Promise<void> {
  const inotify = armed(config);
  for (const event of inotify.eventGen({ yieldNones: false, terminalEvents: [] })) {
    if (event !== null && sink.event(event.header.mask, event.filename)) break;
  }
  inotify.close();
}

/** `for await (const event of inotify.events())`: one InotifyEvent object per event. */
export async function events(config: Config, sink: Sink): Promise<void> {
  const inotify = armed(config);
  for await (const event of inotify.events({ terminalEvents: [] })) {
    if (sink.event(event.header.mask, event.filename)) break;
  }
  inotify.close();
}

/** `for await (const batch of inotify.batches())`: typed-array columns, names decoded on demand. */
export async function batches(config: Config, sink: Sink): Promise<void> {
  const inotify = armed(config);
  outer: for await (const batch of inotify.batches()) {
    const { count, mask } = batch;
    for (let i = 0; i < count; i++) {
      if (sink.event(mask[i]!, batch.name(i))) break outer;
    }
  }
  inotify.close();
}
