/**
 * Trees that fall behind the disk: every file operation of a scenario happens before the tree
 * reads anything (a tree reads only when its consumer pulls), so the paths the kernel's events
 * name are stale by the time the tree handles them. After the consumer has pulled until quiet,
 * the watched set must equal the directories on disk (and the kernel's own list of watches must
 * agree, inode by inode), every watched directory must report a new file under its true path,
 * and the events the scenario fixes must be exact. Each scenario runs in the three generators.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  IN_CREATE,
  IN_ISDIR,
  IN_MOVE_SELF,
  IN_MOVED_FROM,
  IN_MOVED_TO,
  InotifyTree,
} from '../../src/index.js';
import { removeDir, tempDir } from '../helpers.js';
import {
  cookieOf,
  expectEvents,
  expectEveryDirReports,
  expectWatchingDisk,
  kev,
  MODES,
  type Mode,
  pull,
  renameExchange,
  sev,
  TREE_OPTIONS,
  watched,
} from './helpers.js';

let root: string;
let outside: string;
beforeEach(() => {
  root = tempDir('inotify-ts-stale-');
  outside = tempDir('inotify-ts-outside-');
});
afterEach(() => {
  removeDir(root);
  removeDir(outside);
});

const DIR = IN_ISDIR;

describe.each(MODES)('a tree consumed with %s', (mode: Mode) => {
  /**
   * The path a record of a renamed directory's wd carries: the one it had when it was queued,
   * in every generator (`batches()` cuts a read before a directory move, so `pathOf(wd)` gives
   * the records of each batch their own paths). Kept as a function so each expectation names both.
   */
  const at = (before: string, _after: string) => before;
  const p = (...parts: string[]) => path.join(root, ...parts);

  it('watches y/a/n and reports files made in it when `mkdir x/a/n; mv x y` happened before the first pull', async () => {
    fs.mkdirSync(p('x', 'a'), { recursive: true });
    using tree = new InotifyTree(root, TREE_OPTIONS);
    const [wRoot, wX, wXA] = [root, p('x'), p('x', 'a')].map((d) => tree.watches().get(d)!);
    fs.mkdirSync(p('x', 'a', 'n'));
    fs.renameSync(p('x'), p('y'));

    const events = await pull(tree, { mode });
    expect(watched(tree)).toEqual([root, p('y'), p('y', 'a'), p('y', 'a', 'n')]);
    expectWatchingDisk(tree, root);
    const c = cookieOf(events, 'x');
    expect(c).not.toBe(0);
    expectEvents(events, {
      kernel: [
        kev(wXA!, IN_CREATE | DIR, at(p('x', 'a'), p('y', 'a')), 'n'),
        kev(wRoot!, IN_MOVED_FROM | DIR, root, 'x', c),
        kev(wRoot!, IN_MOVED_TO | DIR, root, 'y', c),
        kev(wX!, IN_MOVE_SELF, p('y'), ''),
      ],
      mayAlso: [sev(wXA!, p('y', 'a'), 'n', true)],
    });
    await expectEveryDirReports(tree, mode);
  });

  it('watches a directory moved in from outside and its child when its new parent was renamed before the first pull', async () => {
    fs.mkdirSync(p('p'));
    fs.mkdirSync(path.join(outside, 'd', 'e'), { recursive: true });
    fs.writeFileSync(path.join(outside, 'd', 'f'), 'x');
    using tree = new InotifyTree(root, TREE_OPTIONS);
    const [wRoot, wP] = [root, p('p')].map((d) => tree.watches().get(d)!);
    fs.renameSync(path.join(outside, 'd'), p('p', 'd'));
    fs.renameSync(p('p'), p('q'));

    const events = await pull(tree, { mode });
    expect(watched(tree)).toEqual([root, p('q'), p('q', 'd'), p('q', 'd', 'e')]);
    expectWatchingDisk(tree, root);
    const w = tree.watches();
    const movedIn =
      events.find((e) => e.filename === 'd' && e.typeNames.includes('IN_MOVED_TO'))?.cookie ?? 0;
    expect(movedIn).not.toBe(0);
    const c = cookieOf(events, 'p');
    expect(c).not.toBe(0);
    expectEvents(events, {
      kernel: [
        kev(wP!, IN_MOVED_TO | DIR, at(p('p'), p('q')), 'd', movedIn),
        kev(wRoot!, IN_MOVED_FROM | DIR, root, 'p', c),
        kev(wRoot!, IN_MOVED_TO | DIR, root, 'q', c),
        kev(wP!, IN_MOVE_SELF, p('q'), ''),
      ],
      synthetic: [
        sev(w.get(p('q', 'd'))!, p('q', 'd'), 'e', true),
        sev(w.get(p('q', 'd'))!, p('q', 'd'), 'f', false),
      ],
      mayAlso: [sev(wP!, p('q'), 'd', true)],
    });
    await expectEveryDirReports(tree, mode);
  });

  it('watches both c/m and the new a/n after `mkdir a/n; mv a/n c/m; mkdir a/n` happened before the first pull', async () => {
    fs.mkdirSync(p('a'));
    fs.mkdirSync(p('c'));
    using tree = new InotifyTree(root, TREE_OPTIONS);
    const [wA, wC] = [p('a'), p('c')].map((d) => tree.watches().get(d)!);
    fs.mkdirSync(p('a', 'n'));
    fs.renameSync(p('a', 'n'), p('c', 'm'));
    fs.mkdirSync(p('a', 'n'));

    const events = await pull(tree, { mode });
    expect(watched(tree)).toEqual([root, p('a'), p('a', 'n'), p('c'), p('c', 'm')]);
    expectWatchingDisk(tree, root);
    const c = cookieOf(events, 'n');
    expect(c).not.toBe(0);
    expectEvents(events, {
      kernel: [
        kev(wA!, IN_CREATE | DIR, p('a'), 'n'),
        kev(wA!, IN_MOVED_FROM | DIR, p('a'), 'n', c),
        kev(wC!, IN_MOVED_TO | DIR, p('c'), 'm', c),
        kev(wA!, IN_CREATE | DIR, p('a'), 'n'),
      ],
      mayAlso: [sev(wC!, p('c'), 'm', true), sev(wA!, p('a'), 'n', true)],
    });
    await expectEveryDirReports(tree, mode);
  });

  /**
   * The staging pattern of installers and copy tools, `mkdir -p tmp/a/b/c; echo x > tmp/a/b/c/f;
   * mv tmp final`, done while the consumer is busy; `known` first has the tree watch `tmp` (it
   * pulls the `mkdir tmp` before the rest happens).
   */
  async function staging(known: boolean): Promise<void> {
    using tree = new InotifyTree(root, TREE_OPTIONS);
    const wRoot = tree.watches().get(root)!;
    fs.mkdirSync(p('tmp'));
    const createTmp = kev(wRoot, IN_CREATE | DIR, root, 'tmp');
    if (known) expect(await pull(tree, { mode })).toEqual([createTmp]);
    const wTmp = tree.watches().get(p('tmp'));
    expect(typeof wTmp).toBe(known ? 'number' : 'undefined');
    fs.mkdirSync(p('tmp', 'a', 'b', 'c'), { recursive: true });
    fs.writeFileSync(p('tmp', 'a', 'b', 'c', 'f'), 'x\n');
    fs.renameSync(p('tmp'), p('final'));

    const events = await pull(tree, { mode, slowMs: 5 });
    const dirs = [p('final'), p('final', 'a'), p('final', 'a', 'b'), p('final', 'a', 'b', 'c')];
    expect(watched(tree)).toEqual([root, ...dirs]);
    expectWatchingDisk(tree, root);
    const w = tree.watches();
    const [wFinal, wA, wB, wC] = dirs.map((d) => w.get(d)!);
    const c = cookieOf(events, 'tmp');
    expect(c).not.toBe(0);
    const moves = [
      kev(wRoot, IN_MOVED_FROM | DIR, root, 'tmp', c),
      kev(wRoot, IN_MOVED_TO | DIR, root, 'final', c),
    ];
    const deeper = [sev(wA!, dirs[1]!, 'b', true), sev(wB!, dirs[2]!, 'c', true)];
    const f = [sev(wC!, dirs[3]!, 'f', false), kev(wC!, IN_CREATE, dirs[3]!, 'f')];
    expectEvents(
      events,
      known
        ? {
            kernel: [
              kev(wTmp!, IN_CREATE | DIR, at(p('tmp'), p('final')), 'a'),
              ...moves,
              kev(wTmp!, IN_MOVE_SELF, p('final'), ''),
            ],
            synthetic: deeper,
            either: [f],
            mayAlso: [sev(wTmp!, p('final'), 'a', true)],
          }
        : {
            kernel: [createTmp, ...moves],
            synthetic: [sev(wFinal!, dirs[0]!, 'a', true), ...deeper],
            either: [f],
            mayAlso: [sev(wRoot, root, 'final', true)],
          },
    );
    await expectEveryDirReports(tree, mode);
  }

  it('watches final/a/b/c and reports f under it after the staging pattern `mkdir -p tmp/a/b/c; echo x > tmp/a/b/c/f; mv tmp final` while the consumer was busy', () =>
    staging(false));

  it('watches final/a/b/c and reports f under it when the tree watched tmp and the rest of the staging pattern happened while the consumer was busy', () =>
    staging(true));

  it('lists each side of renameat2(RENAME_EXCHANGE) of two watched directories under its new name, every watch on the inode at its path', async () => {
    fs.mkdirSync(p('p', 'p1', 'p2'), { recursive: true });
    fs.mkdirSync(p('q', 'q1'), { recursive: true });
    using tree = new InotifyTree(root, TREE_OPTIONS);
    const wRoot = tree.watches().get(root)!;
    renameExchange(p('p'), p('q'));

    const events = await pull(tree, { mode });
    expect(watched(tree)).toEqual([root, p('p'), p('p', 'q1'), p('q'), p('q', 'p1'), p('q', 'p1', 'p2')]);
    expectWatchingDisk(tree, root);
    const moves = events.filter((e) => e.wd === wRoot && !e.synthetic);
    const [c1, c2] = [moves[0]?.cookie ?? 0, moves[2]?.cookie ?? 0];
    expect(c1).not.toBe(0);
    expect(c2).not.toBe(0);
    expect(moves).toEqual([
      kev(wRoot, IN_MOVED_FROM | DIR, root, 'p', c1),
      kev(wRoot, IN_MOVED_TO | DIR, root, 'q', c1),
      kev(wRoot, IN_MOVED_FROM | DIR, root, 'q', c2),
      kev(wRoot, IN_MOVED_TO | DIR, root, 'p', c2),
    ]);
    await expectEveryDirReports(tree, mode);
  });
});
