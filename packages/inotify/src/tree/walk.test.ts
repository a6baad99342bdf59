/**
 * The start-up walk where one directory is reached twice, through bind mounts (run as root,
 * where mount(8) may bind; skipped elsewhere): it watches each directory once, reports nothing
 * of its own listings, and leaves every watch with the full mask.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers.js';
import { expectWatching, readTree, removeDirs } from '../../test/tree-helpers.js';
import { InotifyTree } from '../index.js';

/** Whether this process may bind-mount (tried once on a scratch directory). */
const canBind = ((): boolean => {
  if (process.getuid?.() !== 0) return false;
  const scratch = tempDir('inotify-ts-bind-');
  const target = path.join(scratch, 'at');
  fs.mkdirSync(target);
  try {
    if (spawnSync('mount', ['--bind', scratch, target]).status !== 0) return false;
    spawnSync('umount', [target]);
    return true;
  } finally {
    removeDirs(scratch);
  }
})();

let dir: string;
let mounts: string[];
beforeEach(() => {
  dir = tempDir();
  mounts = [];
});
afterEach(() => {
  for (const at of mounts.reverse()) spawnSync('umount', [at]);
  removeDirs(dir);
});

function bind(from: string, at: string): void {
  const result = spawnSync('mount', ['--bind', from, at]);
  if (result.status !== 0) throw new Error(`mount --bind ${from} ${at}: ${result.stderr}`);
  mounts.push(at);
}

describe.skipIf(!canBind)('InotifyTree start-up walk through bind mounts', () => {
  it('watches a directory reached again once, keeps it quiet while its children are listed, and widens it', () => {
    // Each of the root's two subdirectories leads back to the root: whichever the walk lists
    // first meets the root again before the other is listed (on the root's watch).
    const a = path.join(dir, 'a');
    const m = path.join(dir, 'm');
    for (const sub of [a, m]) {
      fs.mkdirSync(path.join(sub, 'loop'), { recursive: true });
      fs.mkdirSync(path.join(sub, 'inner', 'deeper'), { recursive: true });
      bind(dir, path.join(sub, 'loop'));
    }
    using tree = new InotifyTree(dir);
    expect(readTree(tree)).toEqual([]);
    expectWatching(tree, [dir, a, m, ...[a, m].flatMap((sub) => [`${sub}/inner`, `${sub}/inner/deeper`])]);
  });
});
