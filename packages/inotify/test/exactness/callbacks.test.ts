/**
 * User callbacks that throw: the error reaches the caller as it was thrown, and no data is lost
 * with it. A `filterPredicate` that throws leaves its event buffered for the next generator; an
 * `ignoredDirs` predicate that throws for a directory that appears leaves that directory to be
 * asked about again; one that throws during the constructor's walk fails the constructor, with
 * nothing left open.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FilterPredicate, IN_CREATE, IN_ISDIR, Inotify, InotifyTree } from '../../src/index.js';
import { openWriteClose, removeDir, tempDir } from '../helpers.js';
import {
  expectEvents,
  expectEveryDirReports,
  expectWatchingDisk,
  inotifyFds,
  kev,
  MODES,
  type Mode,
  pull,
  pullCatching,
  sev,
  TREE_OPTIONS,
  watched,
} from './helpers.js';

let dir: string;
beforeEach(() => {
  dir = tempDir('inotify-ts-callbacks-');
});
afterEach(() => removeDir(dir));

/** A filterPredicate that throws `error` the first time it sees an event named `name`, and keeps everything. */
function throwingOnceOn(name: string, error: Error): FilterPredicate {
  let thrown = false;
  return (_typeName, event) => {
    if (event.filename === name && !thrown) {
      thrown = true;
      throw error;
    }
    return true;
  };
}

const FIRST: readonly Mode[] = ['eventGen', 'events'];

describe.each(FIRST)('a filterPredicate that throws in %s', (first: Mode) => {
  it.each(MODES)(
    'throws that very error and leaves b for the next consumer, %s, which yields b, c and d',
    async (next) => {
      using i = new Inotify({ blockDurationS: 0.05 });
      const wd = i.addWatch(dir, IN_CREATE);
      for (const n of ['a', 'b', 'c', 'd']) openWriteClose(path.join(dir, n));
      const boom = new Error('boom');
      const got = await pullCatching(i, {
        mode: first,
        consume: { filterPredicate: throwingOnceOn('b', boom) },
      });
      expect(got.error).toBe(boom);
      expect(got.events).toEqual([kev(wd, IN_CREATE, dir, 'a')]);
      expect(await pull(i, { mode: next })).toEqual(['b', 'c', 'd'].map((n) => kev(wd, IN_CREATE, dir, n)));
    },
  );

  it.each(MODES)(
    'leaves a tree directory whose event it threw on for the next consumer, %s, with what the scan found in it',
    async (next) => {
      using tree = new InotifyTree(dir, TREE_OPTIONS);
      const wRoot = tree.watches().get(dir)!;
      for (const n of ['a', 'b', 'c']) fs.mkdirSync(path.join(dir, n));
      openWriteClose(path.join(dir, 'b', 'f'));
      const boom = new Error('boom');
      const got = await pullCatching(tree, {
        mode: first,
        consume: { filterPredicate: throwingOnceOn('b', boom) },
      });
      expect(got.error).toBe(boom);
      expect(got.events).toEqual([kev(wRoot, IN_CREATE | IN_ISDIR, dir, 'a')]);
      const events = await pull(tree, { mode: next });
      const b = path.join(dir, 'b');
      expect(events).toEqual([
        kev(wRoot, IN_CREATE | IN_ISDIR, dir, 'b'),
        sev(tree.watches().get(b)!, b, 'f', false),
        kev(wRoot, IN_CREATE | IN_ISDIR, dir, 'c'),
      ]);
      expectWatchingDisk(tree, dir);
    },
  );
});

describe.each(MODES)('an ignoredDirs predicate that throws while %s runs', (mode: Mode) => {
  it('makes the generator throw that error, and the next one reports x and x/f and watches x, asking about x again', async () => {
    const boom = new Error('boom');
    const asked: string[] = [];
    let thrown = false;
    using tree = new InotifyTree(dir, {
      ...TREE_OPTIONS,
      ignoredDirs: (p, name) => {
        asked.push(p);
        if (name === 'x' && !thrown) {
          thrown = true;
          throw boom;
        }
        return false;
      },
    });
    const wRoot = tree.watches().get(dir)!;
    const x = path.join(dir, 'x');
    fs.mkdirSync(x);
    openWriteClose(path.join(x, 'f'));
    const got = await pullCatching(tree, { mode });
    expect(got.error).toBe(boom);
    // eventGen() and events() throw instead of yielding the event; a batch may have been yielded first.
    if (mode !== 'batches') expect(got.events).toEqual([]);
    const events = [...got.events, ...(await pull(tree, { mode }))];
    expect(watched(tree)).toEqual([dir, x]);
    expectWatchingDisk(tree, dir);
    const wX = tree.watches().get(x)!;
    expectEvents(events, {
      kernel: [kev(wRoot, IN_CREATE | IN_ISDIR, dir, 'x')],
      either: [[sev(wX, x, 'f', false), kev(wX, IN_CREATE, x, 'f')]],
    });
    expect(asked.filter((p) => p === x).length).toBeGreaterThanOrEqual(2);
    await expectEveryDirReports(tree, mode);
  });
});

it('makes the constructor throw the error an ignoredDirs predicate throws during the walk, and leaves no inotify instance open', () => {
  fs.mkdirSync(path.join(dir, 'x', 'y'), { recursive: true });
  const before = inotifyFds();
  const boom = new Error('boom');
  let error: unknown;
  try {
    new InotifyTree(dir, {
      ignoredDirs: (_p, name) => {
        if (name === 'y') throw boom;
        return false;
      },
    }).close();
  } catch (e) {
    error = e;
  }
  expect(error).toBe(boom);
  expect(inotifyFds()).toBe(before);
});
