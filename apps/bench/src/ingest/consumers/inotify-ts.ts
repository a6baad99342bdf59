/**
 * The three inotify-ts consumers, one per way of reading: the synchronous
 * generator, the async event iterator and the columnar batch iterator. Each passes
 * every event's mask and name to the sink (which checks the producer's order), and
 * asks for IN_Q_OVERFLOW to be delivered as an event rather than thrown.
 */
import { IN_ALL_EVENTS, Inotify } from '@inotify-ts/inotify';
import { ready, type Sink } from '../sink.js';

function armed(dir: string): Inotify {
  const inotify = new Inotify();
  inotify.addWatch(dir, IN_ALL_EVENTS);
  ready();
  return inotify;
}

/** `for (const event of inotify.eventGen())`: blocks the thread in poll(2) between reads. */
export async function eventGen(config: { readonly dir: string }, sink: Sink): Promise<void> {
  const inotify = armed(config.dir);
  for (const event of inotify.eventGen({ yieldNones: false, terminalEvents: [] })) {
    if (event !== null && sink.event(event.header.mask, event.filename)) break;
  }
  inotify.close();
}

/** `for await (const event of inotify.events())`: one InotifyEvent object per event. */
export async function events(config: { readonly dir: string }, sink: Sink): Promise<void> {
  const inotify = armed(config.dir);
  for await (const event of inotify.events({ terminalEvents: [] })) {
    if (sink.event(event.header.mask, event.filename)) break;
  }
  inotify.close();
}

/** `for await (const batch of inotify.batches())`: typed-array columns, names decoded on demand. */
export async function batches(config: { readonly dir: string }, sink: Sink): Promise<void> {
  const inotify = armed(config.dir);
  outer: for await (const batch of inotify.batches()) {
    const { count, mask } = batch;
    for (let i = 0; i < count; i++) {
      if (sink.event(mask[i]!, batch.name(i))) break outer;
    }
  }
  inotify.close();
}
