/**
 * @parcel/watcher with its inotify backend: events arrive in batches from its own
 * thread, coalesced per path (it also drops IN_Q_OVERFLOW without telling).
 */
import { subscribe } from '@parcel/watcher';
import { STOP_NAME } from '../protocol.js';
import { ready, type Sink } from '../sink.js';

/** Subscribes to the storm directory until the stop directory appears; `ready` when subscribe() resolves. */
export async function parcel(config: { readonly dir: string }, sink: Sink): Promise<void> {
  const stopPath = `${config.dir}/${STOP_NAME}`;
  let stopped!: () => void;
  const stop = new Promise<void>((resolve) => {
    stopped = resolve;
  });
  const subscription = await subscribe(
    config.dir,
    (error, events) => {
      if (error) process.stderr.write(`@parcel/watcher error: ${error.message}\n`);
      let n = 0;
      for (const event of events) {
        if (event.path === stopPath) stopped();
        else n++;
      }
      sink.count(n);
    },
    { backend: 'inotify' },
  );
  ready();
  await stop;
  await subscription.unsubscribe();
}
