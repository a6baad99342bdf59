/**
 * Opens what the options ask for: one `Inotify` with a watch per path, or (with `-r`) a
 * recursive `InotifyTree`/`InotifyTrees`, behind one small interface.
 */
import { Inotify, type InotifyEvent } from '@inotify-ts/inotify';
import type { Options } from './options.js';
import type { Progress } from './progress.js';

/** What the program needs from a watcher, flat or recursive. */
export interface Watcher {
  /** The events, without blocking the event loop, until `signal` aborts. Overflows are delivered, not thrown. */
  events(signal: AbortSignal): AsyncIterable<InotifyEvent>;
  /**
   * Hands `handle` every event the kernel has queued already, without waiting for more: run
   * after a signal, so that everything that happened before it is printed and counted.
   */
  drain(handle: (event: InotifyEvent) => void): void;
  /** How many watches are left. */
  watchCount(): number;
  /** Releases every watch and the inotify descriptor; idempotent. */
  close(): void;
}

/** No event type ends the iteration: an overflow or unmount is printed and the watcher goes on. */
const NO_TERMINAL_EVENTS: readonly string[] = [];

/**
 * Watches each path with one `Inotify`. If a path cannot be watched, the instance is closed
 * and the error, naming that path, is thrown.
 */
function openFlat(options: Options): Watcher {
  let blockS = 1;
  const inotify = new Inotify({ blockDurationS: () => blockS });
  try {
    for (const path of options.paths) inotify.addWatch(path, options.mask);
  } catch (error) {
    inotify.close();
    throw error;
  }
  return {
    events: (signal) => inotify.events({ signal, terminalEvents: NO_TERMINAL_EVENTS }),
    drain: (handle) => {
      blockS = 0;
      for (const event of inotify.eventGen({ terminalEvents: NO_TERMINAL_EVENTS })) {
        if (event === null) break;
        handle(event);
      }
    },
    watchCount: () => inotify.watches().size,
    close: () => inotify.close(),
  };
}

/**
 * Opens the watcher the options ask for.
 *
 * @param options - the parsed command line.
 * @param progress - told how many directories are watched while a recursive set-up runs.
 * @throws the facade's `InotifyError` (a path that cannot be watched, a watch limit), or an
 *   `Error` when `-r` is asked for and the facade has no `InotifyTree`.
 */
export function openWatcher(options: Options, progress: Progress): Watcher {
  if (options.recursive) return openTree(options, progress);
  return openFlat(options);
}

function openTree(_options: Options, _progress: Progress): Watcher {
  throw new Error('--recursive: this build of @inotify-ts/inotify has no InotifyTree yet. Watch without -r');
}
