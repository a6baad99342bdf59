/**
 * Directory paths that are not UTF-8: watches are keyed by the path's bytes, so two directories
 * whose names differ only in invalid bytes (and read the same once decoded with U+FFFD) are two
 * watches that end separately, and a tree watches such a directory like any other, reporting
 * the exact bytes of the names inside it.
 */
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IN_CLOSE_WRITE, IN_CREATE, IN_IGNORED, IN_ISDIR, Inotify, InotifyTree } from '../../src/index.js';
import { removeDir, tempDir } from '../helpers.js';
import { findDirs, kev, lossy, MODES, type Mode, pull, sev, TREE_OPTIONS, watched } from './helpers.js';

let dir: string;
beforeEach(() => {
  dir = tempDir('inotify-ts-bytes-');
});
afterEach(() => removeDir(dir));

/** `parent/name` as bytes. */
function join(parent: string | Uint8Array, name: readonly number[]): Buffer {
  return Buffer.concat([Buffer.from(parent), Buffer.from('/'), Buffer.from(name)]);
}

/** Creates an empty file at `file` (bytes) with open(O_CREAT|O_WRONLY|O_TRUNC) and close. */
function create(file: Buffer): void {
  fs.closeSync(fs.openSync(file, 'w'));
}

const F = [0x66, 0xfd]; // 'f' and a byte that is not UTF-8

describe.each(MODES)('with %s', (mode: Mode) => {
  it('gives two directories whose names differ only in invalid UTF-8 bytes two watches that removeWatch(bytes) ends one at a time', async () => {
    const p1 = join(dir, [0x62, 0xff]);
    const p2 = join(dir, [0x62, 0xfe]);
    fs.mkdirSync(p1);
    fs.mkdirSync(p2);
    using i = new Inotify({ blockDurationS: 0.05 });
    const w1 = i.addWatch(p1, IN_CREATE);
    const w2 = i.addWatch(p2, IN_CREATE);
    expect(w1).not.toBe(w2);
    expect(i.pathOf(w1)).toBe(lossy(p1));
    expect(i.pathOf(w2)).toBe(lossy(p2));

    expect(i.removeWatch(p1)).toBe(true);
    expect(i.pathOf(w1)).toBeUndefined();
    expect(i.pathOf(w2)).toBe(lossy(p2));
    create(join(p1, F));
    create(join(p2, F));
    // batches() hands out the kernel's records as they are (none dropped): the IN_IGNORED that
    // answers the removal comes too, for a wd that no longer has a path.
    const ignored = (wd: number) => ({ ...kev(wd, IN_IGNORED, `<no path for wd ${wd}>`, ''), len: 0 });
    expect(await pull(i, { mode })).toEqual([
      ...(mode === 'batches' ? [ignored(w1)] : []),
      kev(w2, IN_CREATE, lossy(p2), Buffer.from(F)),
    ]);

    expect(i.removeWatch(p1)).toBe(false);
    expect(i.removeWatch(p2)).toBe(true);
    expect(i.pathOf(w2)).toBeUndefined();
    create(join(p2, [0x67]));
    expect(await pull(i, { mode })).toEqual(mode === 'batches' ? [ignored(w2)] : []);
  });

  it('watches a tree subdirectory whose name is not UTF-8 and reports the exact bytes of names inside it', async () => {
    const sub = join(dir, [0x62, 0xff]);
    fs.mkdirSync(sub);
    using tree = new InotifyTree(dir, TREE_OPTIONS);
    expect(tree.unreadable().size).toBe(0);
    const subPath = lossy(sub);
    expect(watched(tree)).toEqual([dir, subPath]);
    const wSub = tree.watches().get(subPath)!;
    create(join(sub, F));
    expect(await pull(tree, { mode })).toEqual([
      kev(wSub, IN_CREATE, subPath, Buffer.from(F)),
      kev(wSub, IN_CLOSE_WRITE, subPath, Buffer.from(F)),
    ]);
  });

  it('watches a directory whose name is not UTF-8 when it appears in a tree, reporting what it holds with exact bytes', async () => {
    using tree = new InotifyTree(dir, TREE_OPTIONS);
    const wRoot = tree.watches().get(dir)!;
    const name = [0x63, 0xfe];
    const sub = join(dir, name);
    fs.mkdirSync(sub);
    create(join(sub, [0x67, 0xfc]));
    const first = await pull(tree, { mode });
    expect(tree.unreadable().size).toBe(0);
    const subPath = lossy(sub);
    expect(watched(tree)).toEqual(findDirs(dir));
    expect(watched(tree)).toEqual([dir, subPath]);
    const wSub = tree.watches().get(subPath)!;
    expect(first).toEqual([
      kev(wRoot, IN_CREATE | IN_ISDIR, dir, Buffer.from(name)),
      sev(wSub, subPath, Buffer.from([0x67, 0xfc]), false),
    ]);
    create(join(sub, F));
    expect(await pull(tree, { mode })).toEqual([
      kev(wSub, IN_CREATE, subPath, Buffer.from(F)),
      kev(wSub, IN_CLOSE_WRITE, subPath, Buffer.from(F)),
    ]);
  });
});
