/**
 * Directories that appear while the tree runs: whatever the timing, every directory ends up
 * watched (the tree's table, the kernel's fdinfo and the disk agree) and every entry is reported
 * exactly once, by the kernel or by a synthetic IN_CREATE.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mountTmpfs, openWriteClose, tempDir, umount } from '../../test/helpers.js';
import {
  expectWatchingDisk,
  kernelWatches,
  kev,
  type ListingEvent,
  listingEvents,
  listingProbe,
  readTree,
  removeDirs,
  sev,
  type TreeTuple,
  treeFd,
  treeTuple,
} from '../../test/tree-helpers.js';
import { IN_CREATE, IN_ISDIR, IN_MOVED_TO, InotifyTree } from '../index.js';

/** Whether the temp dir's filesystem counts subdirectories in link counts (the walk lists no leaf there). */

let dir: string;
let outside: string;
let listing: ListingEvent[];
beforeAll(() => {
  listing = listingProbe();
});
beforeEach(() => {
  [dir, outside] = [tempDir(), tempDir()];
});
afterEach(() => removeDirs(dir, outside));

/**
 * The entries the events say appeared (`IN_CREATE`, or `IN_MOVED_TO` without a cookie partner
 * in the list), as full paths with a trailing `/` for directories, in event order.
 */
function appeared(events: readonly TreeTuple[]): string[] {
  const fromCookies = new Set(events.filter((e) => (e.mask & 0x40) !== 0).map((e) => e.cookie));
  return events
    .filter((e) => (e.mask & IN_CREATE) !== 0 || ((e.mask & IN_MOVED_TO) !== 0 && !fromCookies.has(e.cookie)))
    .map((e) => path.join(e.path, e.filename) + ((e.mask & IN_ISDIR) !== 0 ? '/' : ''));
}

/** Every entry below `root` as {@link appeared} names them, sorted. */
function entriesOnDisk(root: string): string[] {
  const out: string[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const d = stack.pop()!;
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      out.push(entry.isDirectory() ? `${p}/` : p);
      if (entry.isDirectory()) stack.push(p);
    }
  }
  return out.sort();
}

/**
 * Runs `f` with `fs[name]` wrapped by `wrap` (for modules that imported it by name too), to act
 * at a precise moment of the tree's walk. The kernel and the filesystem stay real.
 */
function withFsPatched<K extends 'readdirSync' | 'statfsSync', T>(
  name: K,
  wrap: (original: (typeof fs)[K]) => (typeof fs)[K],
  f: () => T,
): T {
  const writable = fs as Record<K, (typeof fs)[K]>;
  const original = writable[name];
  writable[name] = wrap(original);
  syncBuiltinESMExports();
  try {
    return f();
  } finally {
    writable[name] = original;
    syncBuiltinESMExports();
  }
}

/** Runs `script` (CommonJS) in a child node with `cwd`; resolves when it exits with 0. */
function runChild(script: string, cwd: string): Promise<void> {
  const child = spawn(process.execPath, ['-e', script], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`child exited ${code}: ${stderr}`)),
    );
  });
}

/** Reads the tree's events with `events()` until `done` settled and then `quietS` passed without one. */
async function readWhile(tree: InotifyTree, done: Promise<void>, quietS = 0.5): Promise<TreeTuple[]> {
  const events: TreeTuple[] = [];
  let finished = false;
  void done.then(
    () => {
      finished = true;
    },
    () => {
      finished = true;
    },
  );
  for (;;) {
    for await (const e of tree.events({ timeoutS: quietS })) events.push(treeTuple(e));
    if (finished) break;
  }
  await done;
  for await (const e of tree.events({ timeoutS: quietS })) events.push(treeTuple(e));
  return events;
}

describe('InotifyTree races', () => {
  it('reports every level of mkdir -p four levels deep plus a file made with no pause, and watches them all', () => {
    using tree = new InotifyTree(dir);
    const a = path.join(dir, 'a');
    const b = path.join(a, 'b');
    const c = path.join(b, 'c');
    const d = path.join(c, 'd');
    fs.mkdirSync(d, { recursive: true });
    openWriteClose(path.join(d, 'f'));
    const events = readTree(tree);
    const w = tree.watches();
    expect(events).toEqual([
      kev(1, 1073742080, ['IN_CREATE', 'IN_ISDIR'], dir, 'a'),
      sev(w.get(a)!, a, 'b', true),
      sev(w.get(b)!, b, 'c', true),
      sev(w.get(c)!, c, 'd', true),
      sev(w.get(d)!, d, 'f', false),
      ...listingEvents(listing, 1, dir, 'a', w.get(a)!),
      ...listingEvents(listing, w.get(a)!, a, 'b', w.get(b)!),
      ...listingEvents(listing, w.get(b)!, b, 'c', w.get(c)!),
      ...listingEvents(listing, w.get(c)!, c, 'd', w.get(d)!),
    ]);
    openWriteClose(path.join(d, 'g'));
    expect(readTree(tree).map((e) => [e.wd, e.typeNames, e.path, e.filename])).toEqual([
      [w.get(d), ['IN_CREATE'], d, 'g'],
      [w.get(d), ['IN_OPEN'], d, 'g'],
      [w.get(d), ['IN_CLOSE_WRITE'], d, 'g'],
    ]);
    expectWatchingDisk(tree);
  });

  it('reports each level of mkdir -p run by another process exactly once, whatever the timing', async () => {
    using tree = new InotifyTree(dir);
    const done = runChild(
      `const fs = require('fs'); fs.mkdirSync('a/b/c/d', { recursive: true }); fs.writeFileSync('a/b/c/d/f', '');`,
      dir,
    );
    const events = await readWhile(tree, done);
    expect(appeared(events).sort()).toEqual(entriesOnDisk(dir));
    expect(appeared(events).sort()).toEqual(
      ['a/', 'a/b/', 'a/b/c/', 'a/b/c/d/', 'a/b/c/d/f'].map((p) => path.join(dir, p)),
    );
    expectWatchingDisk(tree);
  });

  it('watches 1,000 nested directories another process creates while the tree runs, and reports each directory and file once', async () => {
    using tree = new InotifyTree(dir);
    const done = runChild(
      `const fs = require('fs');
       for (let k = 0; k < 1000; k++) { fs.mkdirSync('n'); process.chdir('n'); fs.writeFileSync('f', ''); }`,
      dir,
    );
    const events = await readWhile(tree, done);
    const reported = appeared(events);
    expect(reported.length).toBe(2000);
    expect(reported.sort()).toEqual(entriesOnDisk(dir));
    expectWatchingDisk(tree);
    expect(kernelWatches(treeFd(tree)).size).toBe(1001);
    expect(events.filter((e) => e.synthetic).every((e) => (e.mask & ~IN_ISDIR) === IN_CREATE)).toBe(true);
  });

  it('watches every directory of a prepared tree moved in, and reports everything in it', () => {
    const prepared = path.join(outside, 'prepared');
    for (const p of ['x/y/z', 'x/w', 'v']) fs.mkdirSync(path.join(prepared, p), { recursive: true });
    for (const p of ['top', 'x/one', 'x/y/two', 'x/y/z/three', 'v/four'])
      openWriteClose(path.join(prepared, p));
    fs.symlinkSync('/', path.join(prepared, 'x', 'root-link'));
    using tree = new InotifyTree(dir);
    const moved = path.join(dir, 'moved');
    fs.renameSync(prepared, moved);
    const events = readTree(tree);
    expect(events[0]).toEqual({
      ...kev(1, 1073741952, ['IN_MOVED_TO', 'IN_ISDIR'], dir, 'moved'),
      cookie: events[0]!.cookie,
    });
    expect(events[0]!.cookie).not.toBe(0);
    // Besides the synthetic events, only the tree's listing of each directory it watched.
    const w = tree.watches();
    const listings = [...w]
      .filter(([p]) => p !== dir)
      .flatMap(([p, wd]) =>
        listingEvents(listing, w.get(path.dirname(p))!, path.dirname(p), path.basename(p), wd),
      );
    const byJson = (list: readonly TreeTuple[]) => list.map((e) => JSON.stringify(e)).sort();
    expect(byJson(events.slice(1).filter((e) => !e.synthetic))).toEqual(byJson(listings));
    expect(appeared(events).sort()).toEqual(entriesOnDisk(dir));
    expectWatchingDisk(tree);
    expect(kernelWatches(treeFd(tree)).size).toBe(7);
  });

  it("reports an entry created between the new directory's watch and its listing once, as synthetic", () => {
    using tree = new InotifyTree(dir);
    const fresh = path.join(dir, 'fresh');
    fs.mkdirSync(fresh);
    // Create an entry at the one moment that makes it both listed and queued by the kernel: after
    // the watch on `fresh` exists, before the tree lists it.
    const events = withFsPatched(
      'readdirSync',
      (readdir) =>
        ((p: fs.PathLike, options?: unknown) => {
          if (p === fresh && !fs.existsSync(path.join(fresh, 'raced')))
            openWriteClose(path.join(fresh, 'raced'));
          return (readdir as (p: fs.PathLike, o?: unknown) => unknown)(p, options);
        }) as typeof fs.readdirSync,
      () => readTree(tree),
    );
    const wd = tree.watches().get(fresh)!;
    expect(events).toEqual([
      kev(1, 1073742080, ['IN_CREATE', 'IN_ISDIR'], dir, 'fresh'),
      sev(wd, fresh, 'raced', false),
      // The kernel's IN_CREATE for `raced` was swallowed as the duplicate; its other events stay.
      kev(wd, 32, ['IN_OPEN'], fresh, 'raced'),
      kev(wd, 8, ['IN_CLOSE_WRITE'], fresh, 'raced'),
      ...listingEvents(listing, 1, dir, 'fresh', wd),
    ]);
  });

  it('reports an entry deleted and created again right after the scan reported it', () => {
    using tree = new InotifyTree(dir);
    const fresh = path.join(dir, 'fresh');
    fs.mkdirSync(fresh);
    const again = path.join(fresh, 'again');
    const events: TreeTuple[] = [];
    withFsPatched(
      'readdirSync',
      (readdir) =>
        ((p: fs.PathLike, options?: unknown) => {
          if (p === fresh && !fs.existsSync(again)) openWriteClose(again);
          return (readdir as (p: fs.PathLike, o?: unknown) => unknown)(p, options);
        }) as typeof fs.readdirSync,
      () => {
        for (const e of tree.eventGen({ timeoutS: 0.3, yieldNones: false })) {
          if (e === null) continue;
          events.push(treeTuple(e));
          if (e.synthetic) {
            // Still inside the scan's window: the kernel's duplicate IN_CREATE is not read yet.
            fs.unlinkSync(again);
            fs.symlinkSync('target', again);
          }
        }
      },
    );
    const wd = tree.watches().get(fresh)!;
    expect(events.filter((e) => e.filename === 'again')).toEqual([
      sev(wd, fresh, 'again', false),
      kev(wd, 32, ['IN_OPEN'], fresh, 'again'),
      kev(wd, 8, ['IN_CLOSE_WRITE'], fresh, 'again'),
      kev(wd, 512, ['IN_DELETE'], fresh, 'again'),
      kev(wd, 256, ['IN_CREATE'], fresh, 'again'),
    ]);
  });

  it('watches a subdirectory made in a leaf directory just after the start-up walk decided not to list it', (ctx) => {
    const leaf = path.join(dir, 'leaf');
    const late = path.join(leaf, 'late');
    fs.mkdirSync(leaf);
    // The leaf is a tmpfs of its own (tmpfs counts links), so that the walk asks statfs about its
    // filesystem right after reading its link count: the moment to make a subdirectory in it.
    const refused = mountTmpfs(leaf);
    if (refused !== undefined) return ctx.skip(refused);
    try {
      // The walk skips listing a directory whose link count says it has no subdirectory; it
      // reads that count after the directory's watch exists, so one made right after is reported.
      const tree = withFsPatched(
        'statfsSync',
        (statfs) =>
          ((p: fs.PathLike, options?: fs.StatFsOptions) => {
            const stats = statfs(p, options);
            if (p === leaf && !fs.existsSync(late)) fs.mkdirSync(late);
            return stats;
          }) as typeof fs.statfsSync,
        () => new InotifyTree(dir),
      );
      using _ = tree;
      expect(fs.existsSync(late)).toBe(true);
      expect(tree.watches().has(late)).toBe(false);
      expect(readTree(tree)[0]).toEqual(
        kev(tree.watches().get(leaf)!, 1073742080, ['IN_CREATE', 'IN_ISDIR'], leaf, 'late'),
      );
      expectWatchingDisk(tree);
    } finally {
      umount(leaf);
    }
  });
});
