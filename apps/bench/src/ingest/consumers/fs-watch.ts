/**
 * Node's own fs.watch: one callback per event libuv reports, with its name. libuv's mask has
 * IN_MODIFY but no IN_OPEN/IN_CLOSE_*, so each producer operation is one `change`, fed to the
 * sink as the IN_MODIFY it is (order checked, latency timed); libuv drops IN_Q_OVERFLOW.
 */
import { watch } from 'node:fs';
import { IN_MODIFY } from '../../mask.js';
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
        sink.event(IN_MODIFY, name ?? '');
      }
    });
    ready();
  });
}
