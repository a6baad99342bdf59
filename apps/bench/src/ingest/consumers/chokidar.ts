/** chokidar 5 with its defaults (ignoreInitial so the 100 existing files are not reported). */
import { watch } from 'chokidar';
import { STOP_NAME } from '../protocol.js';
import { ready, type Sink } from '../sink.js';

/** Runs chokidar on the storm directory until the stop directory appears; `ready` on its ready event. */
export function chokidar(config: { readonly dir: string }, sink: Sink): Promise<void> {
  return new Promise((resolve) => {
    const stopPath = `${config.dir}/${STOP_NAME}`;
    const watcher = watch(config.dir, { ignoreInitial: true });
    watcher.on('all', (_event, path) => {
      if (path === stopPath) {
        watcher.close().then(resolve, resolve);
      } else {
        sink.count(1);
      }
    });
    watcher.on('error', (error) => process.stderr.write(`chokidar error: ${String(error)}\n`));
    watcher.on('ready', ready);
  });
}
