/**
 * Helpers for the tree tests: what the kernel holds (from /proc/self/fdinfo), what the disk
 * holds (a walk that follows no symlink), and the events reading a directory produces.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { IN_ALL_EVENTS, Inotify, type InotifyEvent, type InotifyTrees, maskNames } from '../src/index.js';
import { TREE_BITS } from '../src/tree/options.js';
import { treeFd as fdOfTree } from '../src/tree/trees.js';
import { removeDir, type Tuple, tempDir, tuple } from './helpers.js';

/** One watch as the kernel lists it in /proc/self/fdinfo/<fd>. */
export interface KernelWatch {
  readonly ino: number;
  readonly mask: number;
}

/** The watches the kernel holds for inotify fd `fd`, by wd (its `inotify wd:` lines). */
export function kernelWatches(fd: number): Map<number, KernelWatch> {
  const watches = new Map<number, KernelWatch>();
  for (const line of fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').split('\n')) {
    const m = /^inotify wd:([0-9a-f]+) ino:([0-9a-f]+) sdev:[0-9a-f]+ mask:([0-9a-f]+)/.exec(line);
    if (m !== null) {
      watches.set(Number.parseInt(m[1]!, 16), {
        ino: Number.parseInt(m[2]!, 16),
        mask: Number.parseInt(m[3]!, 16),
      });
    }
  }
  return watches;
}

/** The inotify fd of a tree. */
export function treeFd(tree: InotifyTrees): number {
  return fdOfTree(tree);
}

/**
 * Every directory at and below `root`, sorted, following no symlink; `skip` leaves one out with
 * what is below it. Listing a watched directory makes the kernel report IN_OPEN, IN_ACCESS and
 * IN_CLOSE_NOWRITE to the tree: check events before calling it.
 */
export function diskDirs(root: string, skip: (dir: string) => boolean = () => false): string[] {
  const dirs: string[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    dirs.push(dir);
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const child = path.join(dir, entry.name);
      if (entry.isDirectory() && !skip(child)) stack.push(child);
    }
  }
  return dirs.sort();
}

/**
 * Asserts that the tree watches exactly `dirs`: its table has those paths, the kernel holds
 * exactly its wds (fdinfo), each on the inode now at its path, each with the full tree mask
 * (`mask` plus the bits the tree follows the tree with: no watch is left with a reading mask).
 */
export function expectWatching(tree: InotifyTrees, dirs: readonly string[], mask = IN_ALL_EVENTS): void {
  const table = tree.watches();
  expect([...table.keys()].sort()).toEqual([...dirs].sort());
  const kernel = kernelWatches(treeFd(tree));
  expect([...kernel.keys()].sort((a, b) => a - b)).toEqual([...table.values()].sort((a, b) => a - b));
  // fdinfo lists the event bits a watch holds (IN_ONLYDIR and IN_DONT_FOLLOW act at lookup only).
  const want = (mask | TREE_BITS) & IN_ALL_EVENTS;
  for (const [dir, wd] of table) {
    expect({ dir, ino: kernel.get(wd)?.ino, mask: kernel.get(wd)?.mask }).toEqual({
      dir,
      ino: fs.lstatSync(dir).ino,
      mask: want,
    });
  }
}

/** Asserts that the tree watches every directory on disk under its roots. */
export function expectWatchingDisk(tree: InotifyTrees, mask = IN_ALL_EVENTS): void {
  expectWatching(
    tree,
    tree.roots.flatMap((root) => diskDirs(root)),
    mask,
  );
}

/** An event as a tuple, with `synthetic` (false for kernel events). */
export type TreeTuple = Tuple & { synthetic: boolean };

export function treeTuple(e: InotifyEvent): TreeTuple {
  return { ...tuple(e), synthetic: e.synthetic === true };
}

/** Every event until `timeoutS` passes without one (the Python tests' `__read_all_events`). */
export function readTree(tree: InotifyTrees, timeoutS = 0.3): TreeTuple[] {
  const out: TreeTuple[] = [];
  for (const e of tree.eventGen({ timeoutS, yieldNones: false })) if (e !== null) out.push(treeTuple(e));
  return out;
}

/** One event of listing a directory: on its parent's watch (with its name) or on its own. */
export interface ListingEvent {
  readonly onParent: boolean;
  readonly mask: number;
}

/**
 * The events, in order, that listing a directory once (readdirSync) produces with both it and
 * its parent watched for everything, as when the tree scans a directory that appeared:
 * IN_OPEN, IN_ACCESS (on kernels that report directory reads; one per getdents64 call) and
 * IN_CLOSE_NOWRITE, each with IN_ISDIR, alternating between the parent's watch and the
 * directory's. Measured, as the Python tests measure `_HAS_DIRECTORY_ACCESS_EVENTS`.
 */
export function listingProbe(): ListingEvent[] {
  const parent = tempDir('inotify-ts-probe-');
  const child = path.join(parent, 'dir');
  fs.mkdirSync(child);
  try {
    using i = new Inotify();
    const parentWd = i.addWatch(parent);
    i.addWatch(child);
    fs.readdirSync(child, { withFileTypes: true });
    const seen: ListingEvent[] = [];
    for (const e of i.eventGen({ timeoutS: 0.1, yieldNones: false })) {
      if (e !== null) seen.push({ onParent: e.header.wd === parentWd, mask: e.header.mask });
    }
    return seen;
  } finally {
    removeDir(parent);
  }
}

/** Removes every directory given (the tests' temp dirs). */
export function removeDirs(...dirs: string[]): void {
  for (const d of dirs) removeDir(d);
}

/** The events of the tree listing directory `name` (watched as `wd`) in `parentPath` (watched as `parentWd`). */
export function listingEvents(
  probe: readonly ListingEvent[],
  parentWd: number,
  parentPath: string,
  name: string,
  wd: number,
): TreeTuple[] {
  return probe.map(({ onParent, mask }) =>
    onParent
      ? kev(parentWd, mask, [...maskNames(mask)], parentPath, name)
      : kev(wd, mask, [...maskNames(mask)], path.join(parentPath, name), ''),
  );
}

/** Expected tuple of a kernel event (`len` 16: names here are shorter than 16 bytes). */
export function kev(
  wd: number,
  mask: number,
  typeNames: string[],
  p: string,
  filename: string,
  cookie = 0,
): TreeTuple {
  return { wd, mask, cookie, len: filename === '' ? 0 : 16, typeNames, path: p, filename, synthetic: false };
}

/** Expected tuple of a synthetic IN_CREATE. */
export function sev(wd: number, p: string, filename: string, isDir: boolean): TreeTuple {
  return {
    wd,
    mask: isDir ? 0x40000100 : 0x100,
    cookie: 0,
    len: 16,
    typeNames: isDir ? ['IN_CREATE', 'IN_ISDIR'] : ['IN_CREATE'],
    path: p,
    filename,
    synthetic: true,
  };
}
