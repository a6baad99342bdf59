/**
 * The Python inotify package's own example (PKG-INFO, section Example) and its test cases
 * (tests/test_inotify.py in dsoprea/PyInotify, class TestInotify), ported to inotify-ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as api from '../src/index.js';
import { Inotify, InotifyError, maskNames } from '../src/index.js';
import {
  ev,
  openWriteClose,
  originalExampleEvents,
  readAll,
  removeDir,
  runOriginalExample,
  tempDir,
} from './helpers.js';

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => removeDir(dir));

describe("the Python package's example", () => {
  it('reports touch aa; rm aa; mkdir dir1; rmdir dir1 with the masks of the example output', () => {
    using i = new Inotify();
    expect(i.addWatch(dir)).toBe(1);

    runOriginalExample(dir);
    expect(readAll(i)).toEqual(originalExampleEvents(dir));
    expect(i.removeWatch(dir)).toBe(true);
  });
});

describe('PyInotify TestInotify, ported', () => {
  it('reports names in other scripts (test__international_naming_python3)', () => {
    const inner = path.join(dir, '新增資料夾');
    fs.mkdirSync(inner);
    using i = new Inotify();
    i.addWatch(inner);
    openWriteClose(path.join(inner, 'filename'));
    openWriteClose(path.join(inner, 'filename料夾'));

    expect(readAll(i)).toEqual([
      ev(1, 256, ['IN_CREATE'], inner, 'filename'),
      ev(1, 32, ['IN_OPEN'], inner, 'filename'),
      ev(1, 8, ['IN_CLOSE_WRITE'], inner, 'filename'),
      ev(1, 256, ['IN_CREATE'], inner, 'filename料夾'),
      ev(1, 32, ['IN_OPEN'], inner, 'filename料夾'),
      ev(1, 8, ['IN_CLOSE_WRITE'], inner, 'filename料夾'),
    ]);
  });

  it('watches one of two directories, then nothing after removeWatch (test__cycle)', () => {
    const path1 = path.join(dir, 'aa');
    const path2 = path.join(dir, 'bb');
    fs.mkdirSync(path1);
    fs.mkdirSync(path2);
    using i = new Inotify();
    i.addWatch(path1);

    openWriteClose(path.join(dir, 'ignored_new_file'));
    openWriteClose(path.join(path1, 'seen_new_file'));
    openWriteClose(path.join(path2, 'ignored_new_file'));
    fs.unlinkSync(path.join(path1, 'seen_new_file'));

    expect(readAll(i)).toEqual([
      ev(1, 256, ['IN_CREATE'], path1, 'seen_new_file'),
      ev(1, 32, ['IN_OPEN'], path1, 'seen_new_file'),
      ev(1, 8, ['IN_CLOSE_WRITE'], path1, 'seen_new_file'),
      ev(1, 512, ['IN_DELETE'], path1, 'seen_new_file'),
    ]);

    expect(i.removeWatch(path1)).toBe(true);
    openWriteClose(path.join(path1, 'ignored_after_removal'));
    expect(readAll(i)).toEqual([]);
    expect(i.watches().size).toBe(0);
  });

  it('watches a list of paths given to the constructor as wd 1 and wd 2 (test__watch_list_of_paths)', () => {
    const path1 = path.join(dir, 'aa');
    const path2 = path.join(dir, 'bb');
    fs.mkdirSync(path1);
    fs.mkdirSync(path2);
    using i = new Inotify({ paths: [path1, path2] });
    expect(i.watches()).toEqual(
      new Map([
        [path1, 1],
        [path2, 2],
      ]),
    );

    openWriteClose(path.join(dir, 'ignored_new_file'));
    openWriteClose(path.join(path1, 'seen_new_file'));
    openWriteClose(path.join(path2, 'seen_new_file2'));
    fs.unlinkSync(path.join(path1, 'seen_new_file'));

    expect(readAll(i)).toEqual([
      ev(1, 256, ['IN_CREATE'], path1, 'seen_new_file'),
      ev(1, 32, ['IN_OPEN'], path1, 'seen_new_file'),
      ev(1, 8, ['IN_CLOSE_WRITE'], path1, 'seen_new_file'),
      ev(2, 256, ['IN_CREATE'], path2, 'seen_new_file2'),
      ev(2, 32, ['IN_OPEN'], path2, 'seen_new_file2'),
      ev(2, 8, ['IN_CLOSE_WRITE'], path2, 'seen_new_file2'),
      ev(1, 512, ['IN_DELETE'], path1, 'seen_new_file'),
    ]);
  });

  it('fails with ENOTDIR for /dev/null/foo (test__error_on_watch_nonexistent_folder)', () => {
    using i = new Inotify();
    let caught: unknown;
    try {
      i.addWatch('/dev/null/foo');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InotifyError);
    expect(caught).toMatchObject({
      code: 'ENOTDIR',
      errno: 20,
      syscall: 'inotify_add_watch',
      path: '/dev/null/foo',
    });
    expect((caught as Error).message).toMatch(/not a directory/i);
    expect(i.watches().size).toBe(0);
  });

  it('names every mask bit in ascending bit order (test__get_event_names)', () => {
    const bits: [string, number][] = Object.entries(api)
      .filter(([name, value]) => name.startsWith('IN_') && typeof value === 'number')
      .map(([name, value]) => [name, value as number] as [string, number])
      .filter(([, value]) => value !== 0 && (value & (value - 1)) === 0)
      .sort((a, b) => a[1] - b[1]);
    expect(bits.map(([name]) => name)).toEqual([
      'IN_ACCESS',
      'IN_MODIFY',
      'IN_ATTRIB',
      'IN_CLOSE_WRITE',
      'IN_CLOSE_NOWRITE',
      'IN_OPEN',
      'IN_MOVED_FROM',
      'IN_MOVED_TO',
      'IN_CREATE',
      'IN_DELETE',
      'IN_DELETE_SELF',
      'IN_MOVE_SELF',
      'IN_UNMOUNT',
      'IN_Q_OVERFLOW',
      'IN_IGNORED',
      'IN_ONLYDIR',
      'IN_DONT_FOLLOW',
      'IN_EXCL_UNLINK',
      'IN_MASK_CREATE',
      'IN_MASK_ADD',
      'IN_ISDIR',
      'IN_ONESHOT',
    ]);
    const all = bits.reduce((mask, [, bit]) => (mask | bit) >>> 0, 0);
    expect(maskNames(all)).toEqual(bits.map(([name]) => name));
    for (const [name, bit] of bits) {
      expect(maskNames(bit)).toEqual([name]);
      expect(maskNames(bit)).toBe(maskNames(bit));
      expect(Object.isFrozen(maskNames(bit))).toBe(true);
    }
  });
});
