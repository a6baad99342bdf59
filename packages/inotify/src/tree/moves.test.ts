/**
 * Directories moved within a tree, out of it, to and from ignored names, and roots moved or
 * deleted: paths stay correct, and nothing is reported under a path that is no longer true.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openWriteClose, tempDir } from '../../test/helpers.js';
import {
  expectWatching,
  expectWatchingDisk,
  kernelWatches,
  kev,
  readTree,
  removeDirs,
  sev,
  treeFd,
} from '../../test/tree-helpers.js';
import { IN_CREATE, InotifyTree } from '../index.js';
import { treeRecords } from './trees.js';

let dir: string;
let outside: string;
beforeEach(() => {
  [dir, outside] = [tempDir(), tempDir()];
});
afterEach(() => removeDirs(dir, outside));

describe('InotifyTree moves', () => {
  it('stays exact in a directory with more subdirectories than its short list holds, as they come and go', () => {
    // 40 subdirectories: past the 16 a node keeps in an array, then back below it.
    const wide = path.join(dir, 'wide');
    fs.mkdirSync(wide);
    for (let k = 0; k < 40; k++) fs.mkdirSync(path.join(wide, `s${k}`, 'inner'), { recursive: true });
    using tree = new InotifyTree(dir);
    expectWatchingDisk(tree);
    for (let k = 0; k < 40; k += 2) fs.renameSync(path.join(wide, `s${k}`), path.join(wide, `r${k}`));
    for (let k = 1; k < 40; k += 4) fs.renameSync(path.join(wide, `s${k}`), path.join(outside, `s${k}`));
    for (let k = 3; k < 40; k += 4) fs.rmSync(path.join(wide, `s${k}`), { recursive: true });
    readTree(tree);
    expectWatchingDisk(tree);
    expect(fs.readdirSync(wide).length).toBe(20);
    // Below 16 again, then past it once more.
    for (let k = 0; k < 40; k += 4) fs.renameSync(path.join(wide, `r${k}`), path.join(outside, `r${k}`));
    readTree(tree);
    expectWatchingDisk(tree);
    for (let k = 1; k < 40; k += 4) fs.renameSync(path.join(outside, `s${k}`), path.join(wide, `back${k}`));
    const movedIn = readTree(tree);
    expectWatchingDisk(tree);
    expect(movedIn.filter((e) => e.typeNames.includes('IN_MOVED_TO')).map((e) => e.filename)).toEqual(
      Array.from({ length: 10 }, (_, k) => `back${4 * k + 1}`),
    );
    const inner = path.join(wide, 'back5', 'inner');
    openWriteClose(path.join(inner, 'f'));
    // (The disk checks above opened every directory: their IN_OPENs come first.)
    const f = readTree(tree).filter((e) => e.filename === 'f');
    expect(f[0]).toEqual(kev(tree.watches().get(inner)!, IN_CREATE, ['IN_CREATE'], inner, 'f'));
  });

  it('gives no further events for a subtree moved out, and its watches are gone from the kernel', () => {
    const sub = path.join(dir, 'sub');
    fs.mkdirSync(path.join(sub, 'inner'), { recursive: true });
    using tree = new InotifyTree(dir);
    const subWd = tree.watches().get(sub)!;
    fs.renameSync(sub, path.join(outside, 'sub'));
    const events = readTree(tree);
    expect(events).toEqual([
      kev(1, 1073741888, ['IN_MOVED_FROM', 'IN_ISDIR'], dir, 'sub', events[0]!.cookie),
      kev(subWd, 2048, ['IN_MOVE_SELF'], sub, ''),
    ]);
    expectWatching(tree, [dir]);
    expect([...kernelWatches(treeFd(tree)).keys()]).toEqual([1]);
    openWriteClose(path.join(outside, 'sub', 'f'));
    openWriteClose(path.join(outside, 'sub', 'inner', 'g'));
    fs.rmSync(path.join(outside, 'sub', 'inner'), { recursive: true });
    expect(readTree(tree)).toEqual([]);
  });

  it('drops what happened in a subtree moved out when it is read together with the move', () => {
    const inner = path.join(dir, 'sub', 'inner');
    fs.mkdirSync(inner, { recursive: true });
    using tree = new InotifyTree(dir);
    const subWd = tree.watches().get(path.join(dir, 'sub'))!;
    fs.renameSync(path.join(dir, 'sub'), path.join(outside, 'sub'));
    // Queued before anything is read: IN_CREATE, IN_OPEN, IN_CLOSE_WRITE on the watch of `inner`,
    // whose path in the tree is no longer true.
    openWriteClose(path.join(outside, 'sub', 'inner', 'late'));
    const events = readTree(tree);
    expect(events).toEqual([
      kev(1, 1073741888, ['IN_MOVED_FROM', 'IN_ISDIR'], dir, 'sub', events[0]!.cookie),
      kev(subWd, 2048, ['IN_MOVE_SELF'], path.join(dir, 'sub'), ''),
    ]);
    expectWatching(tree, [dir]);
  });

  it('reports events under the new path in every directory of a subtree moved within the tree', () => {
    const deep = path.join(dir, 'a', 'sub', 'inner', 'deep');
    fs.mkdirSync(deep, { recursive: true });
    fs.mkdirSync(path.join(dir, 'b'));
    using tree = new InotifyTree(dir);
    const before = tree.watches();
    const sub2 = path.join(dir, 'b', 'sub2');
    fs.renameSync(path.join(dir, 'a', 'sub'), sub2);
    openWriteClose(path.join(sub2, 'inner', 'deep', 'f'));
    const events = readTree(tree);
    const cookie = events[0]!.cookie;
    const deepWd = before.get(deep)!;
    const newDeep = path.join(sub2, 'inner', 'deep');
    expect(events).toEqual([
      kev(
        before.get(path.join(dir, 'a'))!,
        1073741888,
        ['IN_MOVED_FROM', 'IN_ISDIR'],
        path.join(dir, 'a'),
        'sub',
        cookie,
      ),
      kev(
        before.get(path.join(dir, 'b'))!,
        1073741952,
        ['IN_MOVED_TO', 'IN_ISDIR'],
        path.join(dir, 'b'),
        'sub2',
        cookie,
      ),
      kev(before.get(path.join(dir, 'a', 'sub'))!, 2048, ['IN_MOVE_SELF'], sub2, ''),
      kev(deepWd, 256, ['IN_CREATE'], newDeep, 'f'),
      kev(deepWd, 32, ['IN_OPEN'], newDeep, 'f'),
      kev(deepWd, 8, ['IN_CLOSE_WRITE'], newDeep, 'f'),
    ]);
    expect(tree.watches()).toEqual(
      new Map([
        [dir, before.get(dir)],
        [path.join(dir, 'a'), before.get(path.join(dir, 'a'))],
        [path.join(dir, 'b'), before.get(path.join(dir, 'b'))],
        [sub2, before.get(path.join(dir, 'a', 'sub'))],
        [path.join(sub2, 'inner'), before.get(path.join(dir, 'a', 'sub', 'inner'))],
        [newDeep, deepWd],
      ]),
    );
    expectWatchingDisk(tree);
  });

  it('pairs a move whose IN_MOVED_FROM ends one read and whose IN_MOVED_TO starts the next', () => {
    fs.mkdirSync(path.join(dir, 'a', 'sub'), { recursive: true });
    // 272 bytes: eight 32-byte events fit, the ninth does not.
    using tree = new InotifyTree(dir, { readBufferBytes: 272 });
    const core = treeRecords(tree);
    const fill = core.fill.bind(core);
    const reads: number[] = [];
    core.fill = (maxBytes: number) => {
      const n = fill(maxBytes);
      reads.push(n);
      return n;
    };
    // Seven IN_CREATE (one each: a symlink is one syscall) and the IN_MOVED_FROM: 256 bytes.
    for (let k = 1; k <= 7; k++) fs.symlinkSync('target', path.join(dir, `f${k}`));
    fs.renameSync(path.join(dir, 'a'), path.join(dir, 'b'));
    openWriteClose(path.join(dir, 'b', 'sub', 'after'));
    const events = readTree(tree);
    expect(reads[0]).toBe(256);
    const cookie = events[7]!.cookie;
    expect(events.slice(7, 10)).toEqual([
      kev(1, 1073741888, ['IN_MOVED_FROM', 'IN_ISDIR'], dir, 'a', cookie),
      kev(1, 1073741952, ['IN_MOVED_TO', 'IN_ISDIR'], dir, 'b', cookie),
      kev(2, 2048, ['IN_MOVE_SELF'], path.join(dir, 'b'), ''),
    ]);
    expect(events.slice(10).map((e) => [e.wd, e.path, e.filename])).toEqual([
      [3, path.join(dir, 'b', 'sub'), 'after'],
      [3, path.join(dir, 'b', 'sub'), 'after'],
      [3, path.join(dir, 'b', 'sub'), 'after'],
    ]);
    expectWatchingDisk(tree);
  });

  it('releases a directory renamed to an ignored name, and watches one renamed from it', () => {
    fs.mkdirSync(path.join(dir, 'pkg', 'x'), { recursive: true });
    using tree = new InotifyTree(dir, { ignoredDirs: ['node_modules'] });
    fs.renameSync(path.join(dir, 'pkg'), path.join(dir, 'node_modules'));
    expect(readTree(tree).map((e) => e.typeNames.join('|'))).toEqual([
      'IN_MOVED_FROM|IN_ISDIR',
      'IN_MOVED_TO|IN_ISDIR',
    ]);
    expectWatching(tree, [dir]);
    fs.renameSync(path.join(dir, 'node_modules'), path.join(dir, 'pkg2'));
    const events = readTree(tree);
    const pkg2 = path.join(dir, 'pkg2');
    expect(events.slice(0, 3)).toEqual([
      kev(1, 1073741888, ['IN_MOVED_FROM', 'IN_ISDIR'], dir, 'node_modules', events[0]!.cookie),
      kev(1, 1073741952, ['IN_MOVED_TO', 'IN_ISDIR'], dir, 'pkg2', events[0]!.cookie),
      sev(tree.watches().get(pkg2)!, pkg2, 'x', true),
    ]);
    expectWatching(tree, [dir, pkg2, path.join(pkg2, 'x')]);
  });

  it('ignores directories by name at any depth, and by predicate, before adding any watch', () => {
    for (const p of ['keep/node_modules/deep', 'node_modules', 'keep/.cache', 'other']) {
      fs.mkdirSync(path.join(dir, p), { recursive: true });
    }
    using byName = new InotifyTree(dir, { ignoredDirs: ['node_modules', '.cache'] });
    expectWatching(byName, [dir, path.join(dir, 'keep'), path.join(dir, 'other')]);
    const asked: [string, string][] = [];
    using byPredicate = new InotifyTree(dir, {
      ignoredDirs: (p, name) => {
        asked.push([p, name]);
        return name === 'keep';
      },
    });
    expectWatching(byPredicate, [dir, path.join(dir, 'node_modules'), path.join(dir, 'other')]);
    expect(asked.map(([p]) => p).sort()).toEqual(
      ['keep', 'node_modules', 'other'].map((p) => path.join(dir, p)).sort(),
    );
    fs.mkdirSync(path.join(dir, 'other', 'keep'));
    expect(readTree(byPredicate)[0]).toEqual(
      kev(
        byPredicate.watches().get(path.join(dir, 'other'))!,
        1073742080,
        ['IN_CREATE', 'IN_ISDIR'],
        path.join(dir, 'other'),
        'keep',
      ),
    );
    expectWatching(byPredicate, [dir, path.join(dir, 'node_modules'), path.join(dir, 'other')]);
  });

  it('releases every watch of a root that is renamed, and reports the rename', () => {
    const root = path.join(dir, 'root');
    fs.mkdirSync(path.join(root, 'sub'), { recursive: true });
    using tree = new InotifyTree(root);
    fs.renameSync(root, path.join(dir, 'elsewhere'));
    openWriteClose(path.join(dir, 'elsewhere', 'sub', 'f'));
    expect(readTree(tree)).toEqual([kev(1, 2048, ['IN_MOVE_SELF'], root, '')]);
    expect(tree.watches().size).toBe(0);
    expect(kernelWatches(treeFd(tree)).size).toBe(0);
  });

  it('forgets a root that is deleted, after reporting IN_DELETE_SELF and IN_IGNORED', () => {
    const root = path.join(dir, 'root');
    fs.mkdirSync(root);
    using tree = new InotifyTree(root);
    fs.rmdirSync(root);
    expect(readTree(tree)).toEqual([
      kev(1, 1024, ['IN_DELETE_SELF'], root, ''),
      kev(1, 32768, ['IN_IGNORED'], root, ''),
    ]);
    expect(tree.watches().size).toBe(0);
    expect(kernelWatches(treeFd(tree)).size).toBe(0);
  });

  it('does not follow a symbolic link to /, at start-up or when one appears', () => {
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.symlinkSync('/', path.join(dir, 'root-link'));
    using tree = new InotifyTree(dir);
    expectWatching(tree, [dir, path.join(dir, 'sub')]);
    fs.symlinkSync('/', path.join(dir, 'sub', 'another'));
    expect(readTree(tree)).toEqual([kev(2, IN_CREATE, ['IN_CREATE'], path.join(dir, 'sub'), 'another')]);
    expectWatching(tree, [dir, path.join(dir, 'sub')]);
    expect(kernelWatches(treeFd(tree)).size).toBe(2);
  });
});
