/**
 * The Python package's tree tests (tests/test_inotify.py in dsoprea/PyInotify: TestInotifyTree,
 * TestInotifyTrees), ported. Two deliberate differences change the expected events, both listed
 * in the package README:
 *
 * - The start-up walk produces no events: the Python package lists each directory with its watch
 *   armed and reports IN_OPEN/IN_ACCESS/IN_CLOSE_NOWRITE (IN_ISDIR) for every directory it lists;
 *   the tree silences a directory's watch while it reads it at start-up. A directory that appears
 *   later is listed with its watch and its parent's armed, as in the Python package
 *   ({@link listingEvents}, measured on this kernel as the Python tests measure
 *   `_HAS_DIRECTORY_ACCESS_EVENTS`).
 * - A directory renamed inside the tree keeps its wd (the Python package removes the watch and
 *   adds a new one), so its IN_MOVE_SELF is delivered under the new path and nothing is listed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openWriteClose, removeDir, tempDir } from '../../test/helpers.js';
import {
  expectWatching,
  kev,
  type ListingEvent,
  listingEvents,
  listingProbe,
  readTree,
  type TreeTuple,
} from '../../test/tree-helpers.js';
import { InotifyTree, InotifyTrees } from '../index.js';

let dir: string;
let listing: ListingEvent[];
beforeAll(() => {
  listing = listingProbe();
});
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => removeDir(dir));

/** `with open(path, 'w'): pass` on wd: IN_CREATE, IN_OPEN, IN_CLOSE_WRITE. */
function written(wd: number, p: string, name: string): TreeTuple[] {
  return [
    kev(wd, 256, ['IN_CREATE'], p, name),
    kev(wd, 32, ['IN_OPEN'], p, name),
    kev(wd, 8, ['IN_CLOSE_WRITE'], p, name),
  ];
}

describe('PyInotify TestInotifyTree, ported', () => {
  it('reports files created and deleted in the root and two subdirectories, then the subdirectories deleted (test__cycle)', () => {
    const path1 = path.join(dir, 'aa');
    const path2 = path.join(dir, 'bb');
    fs.mkdirSync(path1);
    fs.mkdirSync(path2);
    using tree = new InotifyTree(dir);
    const watches = tree.watches();
    const w2 = watches.get(path1)!;
    const w3 = watches.get(path2)!;
    expect([watches.get(dir), new Set([w2, w3])]).toEqual([1, new Set([2, 3])]);

    openWriteClose(path.join(dir, 'seen_new_file1'));
    openWriteClose(path.join(path1, 'seen_new_file2'));
    openWriteClose(path.join(path2, 'seen_new_file3'));
    fs.unlinkSync(path.join(dir, 'seen_new_file1'));
    fs.unlinkSync(path.join(path1, 'seen_new_file2'));
    fs.unlinkSync(path.join(path2, 'seen_new_file3'));
    fs.rmdirSync(path1);
    fs.rmdirSync(path2);

    expect(readTree(tree)).toEqual([
      ...written(1, dir, 'seen_new_file1'),
      ...written(w2, path1, 'seen_new_file2'),
      ...written(w3, path2, 'seen_new_file3'),
      kev(1, 512, ['IN_DELETE'], dir, 'seen_new_file1'),
      kev(w2, 512, ['IN_DELETE'], path1, 'seen_new_file2'),
      kev(w3, 512, ['IN_DELETE'], path2, 'seen_new_file3'),
      kev(w2, 1024, ['IN_DELETE_SELF'], path1, ''),
      kev(w2, 32768, ['IN_IGNORED'], path1, ''),
      kev(1, 1073742336, ['IN_DELETE', 'IN_ISDIR'], dir, 'aa'),
      kev(w3, 1024, ['IN_DELETE_SELF'], path2, ''),
      kev(w3, 32768, ['IN_IGNORED'], path2, ''),
      kev(1, 1073742336, ['IN_DELETE', 'IN_ISDIR'], dir, 'bb'),
    ]);
    expectWatching(tree, [dir]);
  });

  it('follows a folder and a file renamed, with cookies pairing each move (test__renames)', () => {
    using tree = new InotifyTree(dir);
    const oldPath = path.join(dir, 'old_folder');
    const newPath = path.join(dir, 'new_folder');
    fs.mkdirSync(oldPath);
    expect(readTree(tree)).toEqual([
      kev(1, 1073742080, ['IN_CREATE', 'IN_ISDIR'], dir, 'old_folder'),
      ...listingEvents(listing, 1, dir, 'old_folder', 2),
    ]);
    expectWatching(tree, [dir, oldPath]);

    fs.renameSync(oldPath, newPath);
    const events2 = readTree(tree);
    const cookie = events2[0]!.cookie;
    expect(cookie).not.toBe(0);
    expect(events2).toEqual([
      kev(1, 1073741888, ['IN_MOVED_FROM', 'IN_ISDIR'], dir, 'old_folder', cookie),
      kev(1, 1073741952, ['IN_MOVED_TO', 'IN_ISDIR'], dir, 'new_folder', cookie),
      kev(2, 2048, ['IN_MOVE_SELF'], newPath, ''),
    ]);
    expectWatching(tree, [dir, newPath]);

    openWriteClose(path.join(newPath, 'old_filename'));
    fs.renameSync(path.join(newPath, 'old_filename'), path.join(newPath, 'new_filename'));
    fs.unlinkSync(path.join(dir, 'new_folder', 'new_filename'));
    fs.rmdirSync(path.join(dir, 'new_folder'));
    const events3 = readTree(tree);
    const fileCookie = events3[3]!.cookie;
    expect(fileCookie).not.toBe(0);
    expect(fileCookie).not.toBe(cookie);
    expect(events3).toEqual([
      ...written(2, newPath, 'old_filename'),
      kev(2, 64, ['IN_MOVED_FROM'], newPath, 'old_filename', fileCookie),
      kev(2, 128, ['IN_MOVED_TO'], newPath, 'new_filename', fileCookie),
      kev(2, 512, ['IN_DELETE'], newPath, 'new_filename'),
      kev(2, 1024, ['IN_DELETE_SELF'], newPath, ''),
      kev(2, 32768, ['IN_IGNORED'], newPath, ''),
      kev(1, 1073742336, ['IN_DELETE', 'IN_ISDIR'], dir, 'new_folder'),
    ]);
    expectWatching(tree, [dir]);
  });

  it('watches new folders as they are created, each level in turn (test__automatic_new_watches_on_new_paths)', () => {
    using tree = new InotifyTree(dir);
    const path1 = path.join(dir, 'folder1');
    const path2 = path.join(path1, 'folder2');
    fs.mkdirSync(path1);
    expect(readTree(tree)).toEqual([
      kev(1, 1073742080, ['IN_CREATE', 'IN_ISDIR'], dir, 'folder1'),
      ...listingEvents(listing, 1, dir, 'folder1', 2),
    ]);
    fs.mkdirSync(path2);
    expect(readTree(tree)).toEqual([
      kev(2, 1073742080, ['IN_CREATE', 'IN_ISDIR'], path1, 'folder2'),
      ...listingEvents(listing, 2, path1, 'folder2', 3),
    ]);
    openWriteClose(path.join(path2, 'filename'));
    expect(readTree(tree)).toEqual(written(3, path2, 'filename'));
    expectWatching(tree, [dir, path1, path2]);
  });

  it('watches folders that exist at start-up, with no events for the walk (test__automatic_new_watches_on_existing_paths)', () => {
    const path1 = path.join(dir, 'folder1');
    const path2 = path.join(path1, 'folder2');
    fs.mkdirSync(path2, { recursive: true });
    using tree = new InotifyTree(dir);
    openWriteClose(path.join(path2, 'filename'));
    expect(readTree(tree)).toEqual(written(3, path2, 'filename'));
    expect(tree.watches()).toEqual(
      new Map([
        [dir, 1],
        [path1, 2],
        [path2, 3],
      ]),
    );
  });

  it('leaves out ignored directories given as absolute paths, and what is below them (test__exclude_subdirectories)', () => {
    for (let n1 = 1; n1 < 5; n1++) {
      for (let n2 = 1; n2 < 5; n2++) {
        for (let n3 = 1; n3 < 3; n3++) {
          fs.mkdirSync(path.join(dir, `folder${n1}`, `subfolder${n2}`, `subsubfolder${n3}`), {
            recursive: true,
          });
        }
      }
    }
    const ignoredDirs = [
      path.join(dir, 'folder1'),
      path.join(dir, 'folder2', 'subfolder2'),
      path.join(dir, 'folder2', 'subfolder3'),
      path.join(dir, 'folder2', 'subfolder4', 'subsubfolder2'),
      path.join(dir, 'folder3'),
      path.join(dir, 'folder4'),
    ];
    using tree = new InotifyTree(dir, { ignoredDirs });
    expect(readTree(tree)).toEqual([]);
    expectWatching(tree, [
      dir,
      path.join(dir, 'folder2'),
      path.join(dir, 'folder2', 'subfolder1'),
      path.join(dir, 'folder2', 'subfolder1', 'subsubfolder1'),
      path.join(dir, 'folder2', 'subfolder1', 'subsubfolder2'),
      path.join(dir, 'folder2', 'subfolder4'),
      path.join(dir, 'folder2', 'subfolder4', 'subsubfolder1'),
    ]);
  });
});

describe('PyInotify TestInotifyTrees, ported', () => {
  it('watches two roots with wd 1 and wd 2 and reports a file in each (test__cycle)', () => {
    const path1 = path.join(dir, 'aa');
    const path2 = path.join(dir, 'bb');
    fs.mkdirSync(path1);
    fs.mkdirSync(path2);
    using trees = new InotifyTrees([path1, path2]);
    openWriteClose(path.join(path1, 'seen_new_file1'));
    openWriteClose(path.join(path2, 'seen_new_file2'));
    expect(readTree(trees)).toEqual([
      ...written(1, path1, 'seen_new_file1'),
      ...written(2, path2, 'seen_new_file2'),
    ]);
    expect(trees.watches()).toEqual(
      new Map([
        [path1, 1],
        [path2, 2],
      ]),
    );
  });
});
