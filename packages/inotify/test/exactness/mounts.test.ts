/**
 * Mounts inside a tree (as root: a tmpfs is mounted with mount(8); where the system refuses, the
 * test is skipped with its reason). An unmount uncovers the directories that were hidden under
 * the mount point, and a mount over a watched directory replaces what is there: either way the
 * tree watches what is now on disk and reports what it finds there.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, type TestContext } from 'vitest';
import { IN_CREATE, IN_ISDIR, IN_UNMOUNT, InotifyTree } from '../../src/index.js';
import { mountTmpfs, openWriteClose, removeDir, tempDir, umount } from '../helpers.js';
import {
  expectEvents,
  expectEveryDirReports,
  expectWatchingDisk,
  findDirs,
  kev,
  MODES,
  type Mode,
  pull,
  sev,
  TREE_OPTIONS,
  watched,
} from './helpers.js';

let root: string;
const mounted: string[] = [];
beforeEach(() => {
  root = tempDir('inotify-ts-mounts-');
});
afterEach(() => {
  for (const dir of mounted.splice(0).reverse()) umount(dir);
  removeDir(root);
});

/** Mounts a tmpfs on `dir` (unmounted after the test), or skips the test with the system's reason. */
function mountOrSkip(ctx: TestContext, dir: string): void {
  const refused = mountTmpfs(dir);
  if (refused !== undefined) ctx.skip(refused);
  mounted.push(dir);
}

/** Unmounts what {@link mountOrSkip} mounted on `dir`. */
function unmount(dir: string): void {
  umount(dir);
  mounted.splice(mounted.indexOf(dir), 1);
}

describe.each(MODES)('a tree consumed with %s', (mode: Mode) => {
  const p = (...parts: string[]) => path.join(root, ...parts);

  it('watches m and m/under again after the tmpfs that covered m when the tree was armed is unmounted, and delivers IN_UNMOUNT', async (ctx) => {
    fs.mkdirSync(p('m', 'under'), { recursive: true });
    mountOrSkip(ctx, p('m'));
    using tree = new InotifyTree(root, TREE_OPTIONS);
    expect(watched(tree)).toEqual([root, p('m')]);
    const wTmpfs = tree.watches().get(p('m'))!;
    unmount(p('m'));

    const events = await pull(tree, { mode, consume: { terminalEvents: [] } });
    expect(watched(tree)).toEqual([root, p('m'), p('m', 'under')]);
    expect(watched(tree)).toEqual(findDirs(root));
    expectWatchingDisk(tree, root);
    expect(events.filter((e) => (e.mask & IN_UNMOUNT) !== 0)).toEqual([
      kev(wTmpfs, IN_UNMOUNT | IN_ISDIR, p('m'), ''),
    ]);
    expect(events).toContainEqual(sev(tree.watches().get(p('m'))!, p('m'), 'under', true));
    await expectEveryDirReports(tree, mode);
  });

  it('watches a tmpfs mounted over a watched directory after arming, and reports the directory and files made on it with their paths', async (ctx) => {
    fs.mkdirSync(p('n'));
    using tree = new InotifyTree(root, TREE_OPTIONS);
    expect(watched(tree)).toEqual([root, p('n')]);
    mountOrSkip(ctx, p('n'));
    fs.mkdirSync(p('n', 'd'));
    openWriteClose(p('n', 'd', 'g'));
    openWriteClose(p('n', 'h'));

    const events = await pull(tree, { mode });
    expect(watched(tree)).toEqual([root, p('n'), p('n', 'd')]);
    expect(watched(tree)).toEqual(findDirs(root));
    expectWatchingDisk(tree, root);
    const [wRoot, wN, wD] = [root, p('n'), p('n', 'd')].map((d) => tree.watches().get(d)!);
    expectEvents(events, {
      kernel: [],
      // The directory now at n is new to the tree (another inode): reported like any found by a check.
      synthetic: [sev(wRoot!, root, 'n', true)],
      either: [
        [sev(wN!, p('n'), 'd', true), kev(wN!, IN_CREATE | IN_ISDIR, p('n'), 'd')],
        [sev(wN!, p('n'), 'h', false), kev(wN!, IN_CREATE, p('n'), 'h')],
        [sev(wD!, p('n', 'd'), 'g', false), kev(wD!, IN_CREATE, p('n', 'd'), 'g')],
      ],
    });
    await expectEveryDirReports(tree, mode);
  });
});
