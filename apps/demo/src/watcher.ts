/**
 * Opens what the options ask for: one `Inotify` with a watch per path, a recursive
 * `InotifyTrees` for `-r`, or both (with `-r`, a path that is not a directory is watched by
 * itself, as inotifywait does), behind one small interface. It also names each watch the way
 * inotifywait's `%w` does.
 */
import { lstatSync, realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  type EventGenOptions,
  IN_DONT_FOLLOW,
  Inotify,
  type InotifyEvent,
  InotifyTrees,
  type TreeProgress,
} from '@inotify-ts/inotify';
import { describeWarning } from './errors.js';
import { interleave } from './interleave.js';
import type { Options, PathArg } from './options.js';
import type { Progress } from './progress.js';
import { WatchNames } from './watch-names.js';

/** What the watcher reports while it works, besides events. */
export interface WatcherHooks {
  /** Told how many directories are watched while a recursive set-up runs. */
  readonly progress: Progress;
  /** Prints a warning line (a directory a tree cannot watch, …). */
  readonly warn: (line: string) => void;
  /** Prints what was done with a path that is not what `-r` expects (a file, a symbolic link). */
  readonly info: (line: string) => void;
  /** Told of a tree's rescan of its watches after an overflow. */
  readonly rescan?: (progress: TreeProgress) => void;
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
  /** The watched paths (as events report them) and their watch descriptors. */
  watches(): ReadonlyMap<string, number>;
  /** Releases every watch and the inotify descriptor; idempotent. */
  close(): void;
  /** `%w` of each event. */
  readonly names: WatchNames;
}

/** No event type ends the iteration: an overflow or unmount is printed and the watcher goes on. */
const NO_TERMINAL_EVENTS: readonly string[] = [];

/** A thrown error with the fields of Node's own, for a path the program refuses. */
function refusal(code: string, path: string, message: string): Error {
  return Object.assign(new Error(message), { code, path, syscall: 'inotify_add_watch' });
}

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

/** A directory (not a symbolic link to one), as inotifywait decides whether `%w` gets a `/`. */
function isDirectory(path: string | Buffer): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The path to hand to the kernel: the exact bytes when the text is not them. */
function target(path: PathArg): string | Buffer {
  return path.bytes ?? path.text;
}

/** Watches each path with one `Inotify`; closes it and throws (naming the path) if one cannot be watched. */
function openFlat(paths: readonly PathArg[], options: Options, names: WatchNames): Watcher {
  let blockS = 1;
  const inotify = new Inotify({ blockDurationS: () => blockS });
  const mask = options.noDereference ? options.mask | IN_DONT_FOLLOW : options.mask;
  try {
    for (const path of paths) {
      inotify.addWatch(target(path), mask);
      names.addFlat(path, isDirectory(target(path)));
    }
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
    watches: () => inotify.watches(),
    close: () => inotify.close(),
    names,
  };
}

/**
 * Sorts the `-r` paths into tree roots and paths watched by themselves, saying what happens to
 * each path that is not a plain directory. A symbolic link to a directory is followed (the tree
 * of its target is watched, and reported under the link's name) unless `-P`.
 */
function sortRoots(
  options: Options,
  hooks: WatcherHooks,
): { roots: { path: PathArg; dir: string }[]; files: PathArg[] } {
  const roots: { path: PathArg; dir: string }[] = [];
  const files: PathArg[] = [];
  for (const path of options.paths) {
    let link = false;
    try {
      const stats = lstatSync(target(path));
      link = stats.isSymbolicLink();
      if (!link && !stats.isDirectory()) {
        hooks.info(`${path.text} is not a directory: -r watches it by itself.`);
        files.push(path);
        continue;
      }
    } catch {
      // Missing, or not reachable: the tree's own error names the path and the cause.
      roots.push({ path, dir: path.text });
      continue;
    }
    if (link) {
      if (options.noDereference) {
        hooks.info(
          `${path.text} is a symbolic link and -P was given: the link itself is watched, not what it points to.`,
        );
        files.push(path);
        continue;
      }
      let isDir = false;
      try {
        isDir = statSync(target(path)).isDirectory();
      } catch {
        // A dangling link: watched by itself, which fails with the kernel's own error.
      }
      if (!isDir) {
        files.push(path);
        continue;
      }
      const real = realpathSync(target(path), { encoding: 'utf8' });
      hooks.info(`${path.text} is a symbolic link to ${real}: -r watches the tree at ${real}.`);
      roots.push({ path, dir: real });
      continue;
    }
    if (path.bytes !== undefined) {
      throw refusal(
        'EINVAL',
        path.text,
        '-r cannot watch a tree whose root path is not valid UTF-8: recursive trees take text paths. ' +
          'Rename the directory, or watch it without -r',
      );
    }
    roots.push({ path, dir: path.text });
  }
  return { roots, files };
}

/**
 * Opens the watcher the options ask for.
 *
 * @param options - the parsed command line.
 * @param hooks - progress, warnings and information.
 * @throws the facade's `InotifyError` (a path that cannot be watched, a watch limit).
 */
export function openWatcher(options: Options, hooks: WatcherHooks): Watcher {
  const names = new WatchNames();
  const excluded = new Set(options.excluded.map((path) => resolve(path)));
  const wanted = options.paths.filter((path) => !excluded.has(resolve(path.text)));
  const kept = { ...options, paths: wanted };
  if (!options.recursive) return openFlat(wanted, kept, names);
  const { roots, files } = sortRoots(kept, hooks);
  if (roots.length === 0) return openFlat(files, kept, names);
  const tree = openTree(roots, kept, hooks, names, excluded);
  if (files.length === 0) return tree;
  let flat: Watcher;
  try {
    flat = openFlat(files, kept, names);
  } catch (error) {
    tree.close();
    throw error;
  }
  return merge(tree, flat);
}

/**
 * Watches every root recursively with one `InotifyTrees`. Exclusions (`--exclude`,
 * `--exclude-glob`, `@path`) become its `ignoredDirs` predicate, so an excluded directory never
 * gets a watch; the roots themselves are always watched. Directories the tree cannot read are
 * warned about and left out.
 */
function openTree(
  roots: readonly { path: PathArg; dir: string }[],
  options: Options,
  hooks: WatcherHooks,
  names: WatchNames,
  excluded: ReadonlySet<string>,
): Watcher {
  let blockS = 1;
  const { filter } = options;
  const skip = (path: string) => excluded.has(path) || (filter?.skipsDirectory(path) ?? false);
  const trees = new InotifyTrees(
    roots.map((root) => root.dir),
    {
      mask: options.mask,
      ...(filter === undefined && excluded.size === 0 ? {} : { ignoredDirs: skip }),
      blockDurationS: () => blockS,
      onProgress: (progress) => {
        if (progress.reason === 'start') hooks.progress.update(progress.dirs);
        else hooks.rescan?.(progress);
      },
      onError: (error) => hooks.warn(describeWarning(error)),
    },
  );
  for (const root of roots) names.addRoot(resolve(root.dir), root.path.text);
  return {
    events: (signal) => trees.events({ signal, terminalEvents: NO_TERMINAL_EVENTS }),
    drain: (handle) => {
      blockS = 0;
      drainCycle(trees, handle);
    },
    watchCount: () => trees.watches().size,
    watches: () => trees.watches(),
    close: () => trees.close(),
    names,
  };
}

/** Reads two watchers as one: events in the order each delivers them, interleaved as they come. */
function merge(first: Watcher, second: Watcher): Watcher {
  const leftovers: InotifyEvent[] = [];
  return {
    events: (signal) => {
      // Aborted too when the merged stream ends for another reason (a source failed).
      const ended = new AbortController();
      const both = AbortSignal.any([signal, ended.signal]);
      return interleave([first.events(both), second.events(both)], leftovers, ended);
    },
    drain: (handle) => {
      for (const event of leftovers.splice(0)) handle(event);
      first.drain(handle);
      second.drain(handle);
    },
    watchCount: () => first.watchCount() + second.watchCount(),
    watches: () => new Map([...first.watches(), ...second.watches()]),
    close: () => {
      first.close();
      second.close();
    },
    names: first.names,
  };
}
