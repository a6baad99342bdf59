/** Node's own fs.watch: one callback per event libuv reports (it watches no IN_OPEN/IN_CLOSE_*). */
import { watch } from 'node:fs';
import { STOP_NAME } from '../protocol.js';
import { ready, type Sink } from '../sink.js';

/** Runs fs.watch on the storm directory until the stop directory appears. */
export function fsWatch(config: { readonly dir: string }, sink: Sink): Promise<void> {
  return new Promise((resolve) => {
    const watcher = watch(config.dir, (_type, name) => {
      if (name === STOP_NAME) {
        watcher.close();
        resolve();
      } else {
        sink.count(1);
      }
    });
    ready();
  });
}
