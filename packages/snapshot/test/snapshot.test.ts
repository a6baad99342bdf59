/**
 * Snapshots of real directory trees: written atomically and read back exactly (names that are
 * not UTF-8 included), and the changes between two of them as a watcher would have reported
 * them: created, deleted, modified, moved by inode, in an order a consumer can apply.
 */
import { Buffer } from 'node:buffer';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  bytesOfKey,
  diffSnapshots,
  keyOf,
  readSnapshot,
  type SnapshotChange,
  takeSnapshot,
  textOfKey,
  writeSnapshot,
} from '../src/index.js';

let dir: string;
let state: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snapshot-'));
  state = fs.mkdtempSync(path.join(os.tmpdir(), 'snapshot-state-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(state, { recursive: true, force: true });
});

const at = (...parts: string[]) => path.join(dir, ...parts);
const summary = (changes: SnapshotChange[]) =>
  changes.map((c) => [
    c.change,
    path.relative(dir, textOfKey(c.path)),
    c.from && path.relative(dir, textOfKey(c.from)),
  ]);

describe('takeSnapshot and the snapshot file', () => {
  it('records every path with type, device, inode, size and mtime, and reads back what it wrote', () => {
    fs.mkdirSync(at('d'));
    fs.writeFileSync(at('d', 'f'), 'abc');
    fs.symlinkSync('/', at('link'));
    const odd = Buffer.concat([Buffer.from(`${dir}/`), Buffer.from([0x6e, 0xff])]);
    fs.writeFileSync(odd, '');
    const snap = takeSnapshot([dir]);
    const stat = fs.lstatSync(at('d', 'f'), { bigint: true });
    expect(snap.entries.get(keyOf(at('d', 'f')))).toEqual({
      type: 'file',
      dev: String(stat.dev),
      ino: String(stat.ino),
      size: 3,
      mtimeNs: String(stat.mtimeNs),
      birthNs: String(stat.birthtimeNs),
    });
    expect([...snap.entries.keys()].map((k) => path.relative(dir, textOfKey(k))).sort()).toEqual(
      ['', 'd', 'd/f', 'link', 'n\ufffd'].sort(),
    );
    expect(snap.entries.get(keyOf(at('link')))!.type).toBe('symlink'); // not followed
    expect([...snap.entries.keys()].some((k) => bytesOfKey(k).equals(odd))).toBe(true);

    const file = path.join(state, 'tree.snapshot');
    writeSnapshot(file, snap);
    expect(fs.readdirSync(state)).toEqual(['tree.snapshot']); // no temporary file left
    expect(readSnapshot(file)).toEqual(snap);
  });

  it('replaces an existing snapshot file whole and reports a missing one as undefined', () => {
    const file = path.join(state, 's');
    expect(readSnapshot(file)).toBeUndefined();
    writeSnapshot(file, takeSnapshot([dir]));
    fs.writeFileSync(at('new'), '');
    const second = takeSnapshot([dir]);
    writeSnapshot(file, second);
    expect(readSnapshot(file)).toEqual(second);
  });

  it('refuses a file that is not a snapshot and says how to go on', () => {
    const file = path.join(state, 'bad');
    fs.writeFileSync(file, '{"format": 99}');
    expect(() => readSnapshot(file)).toThrow(
      expect.objectContaining({
        code: 'ERR_SNAPSHOT_INVALID',
        path: file,
        message: expect.stringMatching(/remove it/),
      }),
    );
    fs.writeFileSync(file, 'not json');
    expect(() => readSnapshot(file)).toThrow(expect.objectContaining({ code: 'ERR_SNAPSHOT_INVALID' }));
  });
});

describe('diffSnapshots', () => {
  it('reports created, deleted, modified and moved entries, a moved directory once', () => {
    fs.mkdirSync(at('keep'));
    fs.writeFileSync(at('keep', 'same'), 'x');
    fs.writeFileSync(at('keep', 'grow'), 'x');
    fs.writeFileSync(at('keep', 'doomed'), 'x');
    fs.writeFileSync(at('keep', 'rename-me'), 'x');
    fs.mkdirSync(at('olddir', 'inner'), { recursive: true });
    fs.writeFileSync(at('olddir', 'inner', 'f'), 'x');
    fs.mkdirSync(at('gone', 'sub'), { recursive: true });
    fs.writeFileSync(at('gone', 'sub', 'g'), 'x');
    fs.writeFileSync(at('saved'), 'v1');
    const before = takeSnapshot([dir]);

    fs.appendFileSync(at('keep', 'grow'), 'more');
    fs.rmSync(at('keep', 'doomed'));
    fs.renameSync(at('keep', 'rename-me'), at('renamed'));
    fs.renameSync(at('olddir'), at('newdir'));
    fs.rmSync(at('gone'), { recursive: true });
    fs.mkdirSync(at('fresh', 'deeper'), { recursive: true });
    fs.writeFileSync(at('fresh', 'deeper', 'h'), '');
    fs.writeFileSync(at('saved.tmp'), 'version 2');
    fs.renameSync(at('saved.tmp'), at('saved'));
    const after = takeSnapshot([dir]);

    expect(summary(diffSnapshots(before, after))).toEqual([
      ['deleted', 'gone/sub/g', undefined],
      ['deleted', 'gone/sub', undefined],
      ['deleted', 'keep/doomed', undefined],
      ['deleted', 'gone', undefined],
      ['moved', 'newdir', 'olddir'],
      ['moved', 'renamed', 'keep/rename-me'],
      ['created', 'fresh', undefined],
      ['created', 'fresh/deeper', undefined],
      ['created', 'fresh/deeper/h', undefined],
      ['modified', 'saved', undefined],
      ['modified', 'keep/grow', undefined],
    ]);
    expect(diffSnapshots(after, after)).toEqual([]);
  });

  it('reports a file that moved and changed as moved, then modified', () => {
    fs.writeFileSync(at('a'), 'x');
    const before = takeSnapshot([dir]);
    fs.renameSync(at('a'), at('b'));
    fs.appendFileSync(at('b'), 'yz');
    const changes = diffSnapshots(before, takeSnapshot([dir]));
    expect(summary(changes)).toEqual([
      ['moved', 'b', 'a'],
      ['modified', 'b', undefined],
    ]);
    expect(changes[1]!.entry.size).toBe(3);
  });

  it('reports a file moved away and a new one made at its old path as moved and created', () => {
    fs.writeFileSync(at('a'), 'x');
    const before = takeSnapshot([dir]);
    fs.renameSync(at('a'), at('b'));
    fs.writeFileSync(at('a'), 'new');
    expect(summary(diffSnapshots(before, takeSnapshot([dir])))).toEqual([
      ['moved', 'b', 'a'],
      ['created', 'a', undefined],
    ]);
  });
});
