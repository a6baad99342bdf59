/**
 * Opens what the options ask for: one `Inotify` with a watch per path, or (with `-r`) a
 * recursive `InotifyTrees`, behind one small interface.
 */
import { type EventGenOptions, Inotify, type InotifyEvent, InotifyTrees } from '@inotify-ts/inotify';
import { describeWarning } from './errors.js';
import type { Options } from './options.js';
import type { Progress } from './progress.js';

/** What the watcher reports while it works, besides events. */
export interface WatcherHooks {
  /** Told how many directories are watched while a recursive set-up runs. */
  readonly progress: Progress;
  /** Prints a warning line (a directory a tree cannot watch, …). */
  readonly warn: (line: string) => void;
}

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
 * Hands over the events of one poll cycle (up to the `null` that ends it). With a block
 * duration of 0, that is what the kernel has queued now.
 */
function drainCycle(
  source: { eventGen(options: EventGenOptions): Iterable<InotifyEvent | null> },
  handle: (event: InotifyEvent) => void,
): void {
  for (const event of source.eventGen({ terminalEvents: NO_TERMINAL_EVENTS })) {
    if (event === null) break;
    handle(event);
  }
}

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
      drainCycle(inotify, handle);
    },
    watchCount: () => inotify.watches().size,
    close: () => inotify.close(),
  };
}

/**
 * Opens the watcher the options ask for.
 *
 * @param options - the parsed command line.
 * @param hooks - progress and warnings.
 * @throws the facade's `InotifyError` (a path that cannot be watched, a watch limit).
 */
export function openWatcher(options: Options, hooks: WatcherHooks): Watcher {
  if (options.recursive) return openTree(options, hooks);
  return openFlat(options);
}

/**
 * Watches every path recursively with one `InotifyTrees`. `--exclude` becomes its `ignoredDirs`
 * predicate (over full paths), so an excluded directory never gets a watch; the roots themselves
 * are always watched. Directories the tree cannot read are warned about and left out.
 */
function openTree(options: Options, hooks: WatcherHooks): Watcher {
  let blockS = 1;
  const { exclude } = options;
  const trees = new InotifyTrees(options.paths, {
    mask: options.mask,
    ...(exclude === undefined ? {} : { ignoredDirs: (path: string) => exclude.test(path) }),
    blockDurationS: () => blockS,
    onProgress: ({ reason, dirs }) => {
      if (reason === 'start') hooks.progress.update(dirs);
    },
    onError: (error) => hooks.warn(describeWarning(error)),
  });
  return {
    events: (signal) => trees.events({ signal, terminalEvents: NO_TERMINAL_EVENTS }),
    drain: (handle) => {
      blockS = 0;
      drainCycle(trees, handle);
    },
    watchCount: () => trees.watches().size,
    close: () => trees.close(),
  };
}
