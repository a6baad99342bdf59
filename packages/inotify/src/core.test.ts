/**
 * The hooks recursive trees build on: an interceptor that sees every event before the consumer,
 * injected (synthetic) events, the idle signal, and path rewrites that apply to events pulled
 * afterwards.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openWriteClose, removeDir, tempDir } from '../test/helpers.js';
import {
  IN_CREATE,
  IN_ISDIR,
  IN_MOVED_FROM,
  IN_MOVED_TO,
  Inotify,
  type InotifyEvent,
  maskNames,
} from './index.js';
import { coreOf } from './inotify.js';

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => removeDir(dir));

function pullAll(i: Inotify, options = {}): InotifyEvent[] {
  return [...i.eventGen({ timeoutS: 0.2, yieldNones: false, ...options })] as InotifyEvent[];
}

describe('Core hooks', () => {
  it('shows every event to the interceptor before filterPredicate, and swallows it on false', () => {
    using i = new Inotify();
    i.addWatch(dir, IN_CREATE);
    const seen: string[] = [];
    coreOf(i).interceptor = {
      event: (e) => {
        seen.push(e.filename);
        return e.filename !== 'swallowed';
      },
    };
    for (const name of ['a', 'swallowed', 'filtered', 'b']) openWriteClose(path.join(dir, name));
    const events = pullAll(i, { filterPredicate: (_: string, e: InotifyEvent) => e.filename !== 'filtered' });
    expect(events.map((e) => e.filename)).toEqual(['a', 'b']);
    expect(seen).toEqual(['a', 'swallowed', 'filtered', 'b']);
  });

  it('delivers injected events right after the event being intercepted, through filterPredicate', () => {
    using i = new Inotify();
    const wd = i.addWatch(dir, IN_CREATE);
    const core = coreOf(i);
    const synthetic = (filename: string): InotifyEvent => ({
      header: { wd, mask: IN_CREATE, cookie: 0, len: 0 },
      typeNames: maskNames(IN_CREATE),
      path: dir,
      filename,
      filenameBytes: new TextEncoder().encode(filename),
      synthetic: true,
    });
    core.interceptor = {
      event: (e) => {
        if (e.filename === 'a') core.inject([synthetic('a/x'), synthetic('hidden'), synthetic('a/y')]);
      },
    };
    openWriteClose(path.join(dir, 'a'));
    openWriteClose(path.join(dir, 'b'));
    const events = pullAll(i, { filterPredicate: (_: string, e: InotifyEvent) => e.filename !== 'hidden' });
    expect(events.map((e) => [e.filename, e.synthetic ?? false])).toEqual([
      ['a', false],
      ['a/x', true],
      ['a/y', true],
      ['b', false],
    ]);
  });

  it('calls idle once everything read was delivered and the kernel queue is empty, and delivers what it injects', async () => {
    using i = new Inotify();
    const wd = i.addWatch(dir, IN_CREATE);
    const core = coreOf(i);
    const log: string[] = [];
    let injected = false;
    core.interceptor = {
      event: (e) => {
        log.push(`event ${e.filename}`);
      },
      idle: () => {
        log.push('idle');
        if (!injected) {
          injected = true;
          core.inject([
            {
              header: { wd, mask: IN_CREATE, cookie: 0, len: 0 },
              typeNames: maskNames(IN_CREATE),
              path: dir,
              filename: 'from-idle',
              filenameBytes: new Uint8Array(0),
              synthetic: true,
            },
          ]);
        }
      },
    };
    openWriteClose(path.join(dir, 'a'));
    const names: string[] = [];
    for await (const e of i.events({ timeoutS: 0.1 })) names.push(e.filename);
    expect(names).toEqual(['a', 'from-idle']);
    expect(log.slice(0, 3)).toEqual(['event a', 'idle', 'idle']);
  });

  it('reports the rewritten path for events pulled after a relocation, even those read before it', () => {
    const old = path.join(dir, 'old');
    const inner = path.join(old, 'inner');
    fs.mkdirSync(inner, { recursive: true });
    using i = new Inotify();
    const root = i.addWatch(dir, IN_MOVED_FROM | IN_MOVED_TO);
    const innerWd = i.addWatch(inner, IN_CREATE);
    openWriteClose(path.join(inner, 'b1'));
    openWriteClose(path.join(inner, 'b2'));
    fs.renameSync(old, path.join(dir, 'new'));
    const core = coreOf(i);
    const gen = i.eventGen({ timeoutS: 0.2, yieldNones: false });
    // All four events are read into memory by the first pull.
    expect(gen.next().value).toMatchObject({ header: { wd: innerWd }, path: inner, filename: 'b1' });
    expect(core.watches.relocate(old, path.join(dir, 'new'))).toBe(1);
    const rest = [...gen] as InotifyEvent[];
    expect(rest.map((e) => [e.header.wd, e.header.mask, e.path, e.filename])).toEqual([
      [innerWd, IN_CREATE, path.join(dir, 'new', 'inner'), 'b2'],
      [root, IN_MOVED_FROM | IN_ISDIR, dir, 'old'],
      [root, IN_MOVED_TO | IN_ISDIR, dir, 'new'],
    ]);
    openWriteClose(path.join(dir, 'new', 'inner', 'after'));
    expect(pullAll(i).map((e) => e.path)).toEqual([path.join(dir, 'new', 'inner')]);
    expect(i.watches()).toEqual(
      new Map([
        [dir, root],
        [path.join(dir, 'new', 'inner'), innerWd],
      ]),
    );
  });
});
