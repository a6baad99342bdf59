/**
 * IN_Q_OVERFLOW on a tree: the overflow is delivered, then the tree walks its roots again so that
 * its watches equal the directories on disk, whatever the lost events said. Overflows are
 * produced for real, by queueing more events than fs.inotify.max_queued_events before reading.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { maxQueuedEvents, openWriteClose, removeDir, tempDir } from '../../test/helpers.js';
import { expectWatching, expectWatchingDisk, type TreeTuple, treeTuple } from '../../test/tree-helpers.js';
import { IN_Q_OVERFLOW, InotifyTree, TerminalEventError, type TreeProgress } from '../index.js';

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => removeDir(dir));

/** Queues more IN_ATTRIB events on files `a` and `b` of `dir` than the kernel queue holds. */
function burst(): void {
  const a = path.join(dir, 'a');
  const b = path.join(dir, 'b');
  const total = maxQueuedEvents() + 100;
  // Alternating names, so that the kernel cannot merge consecutive identical events.
  for (let k = 0; k < total; k++) fs.utimesSync(k % 2 === 0 ? a : b, k, k);
}

/** Changes the tree while the queue is full, so the kernel drops every event about it. */
function changeUnseen(): void {
  fs.mkdirSync(path.join(dir, 'new', 'deep'), { recursive: true });
  fs.rmdirSync(path.join(dir, 'gone'));
  fs.renameSync(path.join(dir, 'moved'), path.join(dir, 'moved2'));
}

function prepare(): void {
  openWriteClose(path.join(dir, 'a'));
  openWriteClose(path.join(dir, 'b'));
  for (const d of ['keep', 'gone', 'moved/inner']) fs.mkdirSync(path.join(dir, d), { recursive: true });
}

describe('InotifyTree and IN_Q_OVERFLOW', () => {
  it('delivers the overflow, then rescans so the watches equal the directories on disk', () => {
    prepare();
    const progress: TreeProgress[] = [];
    using tree = new InotifyTree(dir, { onProgress: (p) => progress.push(p) });
    const movedWd = tree.watches().get(path.join(dir, 'moved'))!;
    burst();
    changeUnseen();
    const events: TreeTuple[] = [];
    let overflow: TerminalEventError | undefined;
    try {
      for (const e of tree.eventGen({ yieldNones: false })) if (e !== null) events.push(treeTuple(e));
    } catch (error) {
      overflow = error as TerminalEventError;
    }
    // Terminal by default: thrown in place of the event, after every event before it.
    expect(overflow).toBeInstanceOf(TerminalEventError);
    expect(overflow!.event.header).toEqual({ wd: -1, mask: IN_Q_OVERFLOW, cookie: 0, len: 0 });
    expect(events.length).toBe(maxQueuedEvents());
    expect(progress).toEqual([{ reason: 'start', dirs: 5, done: true }]);
    // The next generator finds the queue empty: the tree is idle, and rescans.
    for (const e of tree.eventGen({ timeoutS: 0.2, yieldNones: false }))
      if (e !== null) events.push(treeTuple(e));
    expect(progress.at(-1)).toEqual({ reason: 'rescan', dirs: 6, done: true });
    expect(tree.watches().get(path.join(dir, 'moved2'))).toBe(movedWd);
    expectWatchingDisk(tree);
  });

  it('delivers the overflow as an event with terminalEvents [] and rescans at once', () => {
    prepare();
    using tree = new InotifyTree(dir);
    burst();
    changeUnseen();
    const overflows: TreeTuple[] = [];
    for (const e of tree.eventGen({ timeoutS: 0.3, yieldNones: false, terminalEvents: [] })) {
      if (e !== null && (e.header.mask & IN_Q_OVERFLOW) !== 0) overflows.push(treeTuple(e));
    }
    expect(overflows).toEqual([
      {
        wd: -1,
        mask: IN_Q_OVERFLOW,
        cookie: 0,
        len: 0,
        typeNames: ['IN_Q_OVERFLOW'],
        path: '',
        filename: '',
        synthetic: false,
      },
    ]);
    expectWatchingDisk(tree);
  });

  it('waits rescanIntervalS before a second rescan, then runs it without any further event', async () => {
    prepare();
    const rescans: number[] = [];
    using tree = new InotifyTree(dir, {
      rescanIntervalS: 0.5,
      onProgress: (p) => {
        if (p.reason === 'rescan' && p.done) rescans.push(performance.now());
      },
    });
    burst();
    changeUnseen();
    for await (const _ of tree.events({ timeoutS: 0.2, terminalEvents: [] }));
    expect(rescans.length).toBe(1);
    burst();
    fs.mkdirSync(path.join(dir, 'second'));
    let overflowAt = 0;
    for await (const e of tree.events({ timeoutS: 1.5, terminalEvents: [] })) {
      if ((e.header.mask & IN_Q_OVERFLOW) !== 0) {
        overflowAt = performance.now();
        // Not yet: the first rescan was less than 0.5 s ago.
        expect(rescans.length).toBe(1);
      }
    }
    expect(overflowAt).toBeGreaterThan(0);
    expect(rescans.length).toBe(2);
    expect(rescans[1]! - rescans[0]!).toBeGreaterThanOrEqual(500);
    expectWatching(tree, [
      dir,
      ...['keep', 'moved2', 'moved2/inner', 'new', 'new/deep', 'second'].map((d) => path.join(dir, d)),
    ]);
  });
});
