import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { worldReadableCopy } from '../../../scripts/test-support/world-readable-copy.mjs';
import { ev, openFds, openWriteClose, readAll, removeDir, tempDir } from '../test/helpers.js';
import {
  IN_ATTRIB,
  IN_CREATE,
  IN_DELETE,
  IN_IGNORED,
  IN_ISDIR,
  IN_MASK_ADD,
  IN_MASK_CREATE,
  IN_ONESHOT,
  IN_ONLYDIR,
  Inotify,
  InotifyError,
} from './index.js';

/** A workspace package's dir, by its folder name under packages/. */
const packageDir = (name: string): string => fileURLToPath(new URL(`../../${name}`, import.meta.url));

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => removeDir(dir));

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an exception');
}

describe('addWatch', () => {
  it('returns the same wd for a path watched again, as the kernel does', () => {
    using i = new Inotify();
    const wd = i.addWatch(dir);
    expect(i.addWatch(dir)).toBe(wd);
    expect(i.watches()).toEqual(new Map([[dir, wd]]));
  });

  it('replaces the mask of an existing watch, and merges it with IN_MASK_ADD', () => {
    using i = new Inotify();
    i.addWatch(dir, IN_CREATE);
    i.addWatch(dir, IN_DELETE);
    openWriteClose(path.join(dir, 'a'));
    fs.unlinkSync(path.join(dir, 'a'));
    expect(readAll(i)).toEqual([ev(1, IN_DELETE, ['IN_DELETE'], dir, 'a')]);

    i.addWatch(dir, IN_CREATE | IN_MASK_ADD);
    openWriteClose(path.join(dir, 'b'));
    fs.unlinkSync(path.join(dir, 'b'));
    expect(readAll(i)).toEqual([
      ev(1, IN_CREATE, ['IN_CREATE'], dir, 'b'),
      ev(1, IN_DELETE, ['IN_DELETE'], dir, 'b'),
    ]);
  });

  it('reports the newest path of an inode watched through two paths', () => {
    const link = path.join(dir, 'link');
    const sub = path.join(dir, 'sub');
    fs.mkdirSync(sub);
    fs.symlinkSync(sub, link);
    using i = new Inotify();
    const wd = i.addWatch(sub, IN_CREATE);
    expect(i.addWatch(link, IN_CREATE)).toBe(wd);
    expect(i.watches()).toEqual(new Map([[link, wd]]));
    openWriteClose(path.join(sub, 'f'));
    expect(readAll(i)).toEqual([ev(wd, IN_CREATE, ['IN_CREATE'], link, 'f')]);
  });

  it('fails with EEXIST for IN_MASK_CREATE on a watched path', () => {
    using i = new Inotify();
    i.addWatch(dir);
    expect(thrown(() => i.addWatch(dir, IN_CREATE | IN_MASK_CREATE))).toMatchObject({
      code: 'EEXIST',
      errno: 17,
      syscall: 'inotify_add_watch',
      path: dir,
    });
  });

  it('fails with ENOENT naming a path that does not exist', () => {
    using i = new Inotify();
    const missing = path.join(dir, 'missing');
    const error = thrown(() => i.addWatch(missing));
    expect(error).toBeInstanceOf(InotifyError);
    expect(error).toMatchObject({ code: 'ENOENT', errno: 2, syscall: 'inotify_add_watch', path: missing });
    expect((error as Error).message).toContain(missing);
  });

  it('fails with ENOTDIR for a file watched with IN_ONLYDIR', () => {
    const file = path.join(dir, 'file');
    openWriteClose(file);
    using i = new Inotify();
    expect(thrown(() => i.addWatch(file, IN_CREATE | IN_ONLYDIR))).toMatchObject({
      code: 'ENOTDIR',
      errno: 20,
      syscall: 'inotify_add_watch',
      path: file,
    });
    expect(i.addWatch(file, IN_ATTRIB)).toBe(1);
  });

  it('fails with EACCES for a directory the process may not read', () => {
    // Root reads everything, so the attempt runs in a child process that drops to nobody.
    const locked = path.join(dir, 'locked');
    fs.mkdirSync(locked, { mode: 0o700 });
    fs.chmodSync(dir, 0o755);
    // nobody may not enter the clone's directories (under a 0700 dir, say): it loads a copy.
    const copy = worldReadableCopy(['syscall', 'decoder', 'inotify'].map(packageDir));
    const index = copy.entry('@inotify-ts/inotify');
    const script = `
      process.setgid(65534); process.setuid(65534);
      const { Inotify } = await import(${JSON.stringify(index)});
      const i = new Inotify();
      try { i.addWatch(${JSON.stringify(locked)}); console.log('no error'); }
      catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, errno: e.errno, syscall: e.syscall, path: e.path })); }
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      cwd: os.tmpdir(),
    });
    fs.rmSync(copy.root, { recursive: true, force: true });
    expect(JSON.parse(out)).toEqual({
      name: 'InotifyError',
      code: 'EACCES',
      errno: 13,
      syscall: 'inotify_add_watch',
      path: locked,
    });
  });

  it('rejects a mask without event bits before the syscall, explaining why', () => {
    using i = new Inotify();
    const error = thrown(() => i.addWatch(dir, IN_ONLYDIR));
    expect(error).toBeInstanceOf(InotifyError);
    expect(error).toMatchObject({ code: 'EINVAL', errno: 22, syscall: 'inotify_add_watch', path: dir });
    expect((error as Error).message).toMatch(/no event bits/);
    expect(i.watches().size).toBe(0);
  });

  it('rejects event-only bits and contradictory flags in a watch mask', () => {
    using i = new Inotify();
    expect((thrown(() => i.addWatch(dir, IN_CREATE | IN_ISDIR)) as Error).message).toMatch(
      /IN_ISDIR is only ever set by the kernel/,
    );
    expect((thrown(() => i.addWatch(dir, IN_CREATE | IN_IGNORED)) as Error).message).toMatch(/IN_IGNORED/);
    expect(
      (thrown(() => i.addWatch(dir, IN_CREATE | IN_MASK_ADD | IN_MASK_CREATE)) as Error).message,
    ).toMatch(/exclude each other/);
    expect(thrown(() => i.addWatch(dir, 1.5))).toMatchObject({ code: 'EINVAL' });
  });

  it('accepts IN_ONESHOT, and ends the watch after its one event', () => {
    using i = new Inotify();
    const wd = i.addWatch(dir, IN_CREATE | IN_ONESHOT);
    openWriteClose(path.join(dir, 'a'));
    openWriteClose(path.join(dir, 'b'));
    expect(readAll(i)).toEqual([
      ev(wd, IN_CREATE, ['IN_CREATE'], dir, 'a'),
      ev(wd, IN_IGNORED, ['IN_IGNORED'], dir, '', 0),
    ]);
    expect(i.watches().size).toBe(0);
  });

  it('rejects a path with a NUL character and a path that is not a string or bytes', () => {
    using i = new Inotify();
    expect(thrown(() => i.addWatch(`${dir}\0x`))).toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
    expect(thrown(() => i.addWatch(42 as unknown as string))).toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
    });
  });

  it('watches a path given as raw bytes that are not UTF-8', () => {
    const raw = Buffer.concat([Buffer.from(`${dir}/d`), Buffer.from([0xff])]);
    fs.mkdirSync(raw);
    using i = new Inotify();
    const wd = i.addWatch(new Uint8Array(raw));
    openWriteClose(path.join(dir, 'ignored'));
    fs.writeFileSync(Buffer.concat([raw, Buffer.from('/f')]), '');
    const events = readAll(i);
    expect(events[0]).toEqual(ev(wd, IN_CREATE, ['IN_CREATE'], `${dir}/d\uFFFD`, 'f'));
  });
});

describe('removeWatch', () => {
  it('returns false and does nothing for a path that is not watched, as the Python package ignores it', () => {
    using i = new Inotify();
    const wd = i.addWatch(dir);
    expect(i.removeWatch(path.join(dir, 'other'))).toBe(false);
    expect(i.removeWatchWithId(wd + 100)).toBe(false);
    expect(i.watches()).toEqual(new Map([[dir, wd]]));
  });

  it('drops events already read for the watch, including the IN_IGNORED the kernel answers with', () => {
    const sub = path.join(dir, 'sub');
    fs.mkdirSync(sub);
    using i = new Inotify();
    const keep = i.addWatch(dir, IN_CREATE);
    const gone = i.addWatch(sub, IN_CREATE);
    openWriteClose(path.join(sub, 'x'));
    openWriteClose(path.join(dir, 'y'));
    openWriteClose(path.join(sub, 'z'));
    // Read all three into memory, deliver the first, then remove the watch.
    const gen = i.eventGen({ yieldNones: false });
    expect(gen.next().value).toMatchObject({ header: { wd: gone }, filename: 'x' });
    gen.return();
    expect(i.removeWatchWithId(gone)).toBe(true);
    openWriteClose(path.join(sub, 'after'));
    expect(readAll(i)).toEqual([ev(keep, IN_CREATE, ['IN_CREATE'], dir, 'y')]);
  });

  it('forgets a watch superficially without rm_watch, and drops its events', () => {
    using i = new Inotify();
    const wd = i.addWatch(dir, IN_CREATE);
    expect(i.removeWatch(dir, true)).toBe(true);
    openWriteClose(path.join(dir, 'a'));
    expect(readAll(i)).toEqual([]);
    // The kernel watch is still there: adding the path again returns the same wd.
    expect(i.addWatch(dir, IN_CREATE)).toBe(wd);
  });

  it('succeeds for a watch the kernel already ended (directory deleted, IN_IGNORED not read)', () => {
    const sub = path.join(dir, 'sub');
    fs.mkdirSync(sub);
    using i = new Inotify();
    const wd = i.addWatch(sub);
    fs.rmdirSync(sub);
    expect(i.removeWatchWithId(wd)).toBe(true);
    expect(readAll(i)).toEqual([]);
  });
});

describe('bookkeeping', () => {
  it('yields IN_IGNORED when a watched directory is deleted, then forgets the watch', () => {
    const sub = path.join(dir, 'sub');
    fs.mkdirSync(sub);
    using i = new Inotify();
    const parent = i.addWatch(dir, IN_DELETE);
    const wd = i.addWatch(sub);
    fs.rmdirSync(sub);
    const seen: [string[], boolean][] = [];
    for (const e of i.eventGen({ timeoutS: 0.3, yieldNones: false })) {
      if (e !== null) seen.push([[...e.typeNames], i.watches().has(sub)]);
    }
    expect(seen).toEqual([
      [['IN_DELETE_SELF'], true],
      [['IN_IGNORED'], false],
      [['IN_DELETE', 'IN_ISDIR'], false],
    ]);
    expect(i.watches()).toEqual(new Map([[dir, parent]]));
    expect(i.pathOf(wd)).toBeUndefined();
  });
});

describe('close', () => {
  it('is idempotent, releases the fd, and makes every method fail with ERR_INOTIFY_CLOSED', () => {
    const before = openFds();
    const i = new Inotify({ paths: [dir] });
    expect(openFds()).toBe(before + 1);
    i.close();
    i.close();
    expect(openFds()).toBe(before);
    expect(i.closed).toBe(true);
    expect(i.watches().size).toBe(0);
    const closed = { code: 'ERR_INOTIFY_CLOSED', errno: 9 };
    expect(thrown(() => i.addWatch(dir))).toMatchObject({
      ...closed,
      syscall: 'inotify_add_watch',
      path: dir,
    });
    expect(thrown(() => i.removeWatch(dir))).toMatchObject({ ...closed, syscall: 'inotify_rm_watch' });
    expect(thrown(() => i.removeWatchWithId(1))).toMatchObject(closed);
    expect(thrown(() => i.eventGen())).toMatchObject({ ...closed, syscall: 'read' });
    expect(thrown(() => i.events())).toMatchObject(closed);
    expect(thrown(() => i.batches())).toMatchObject(closed);
    expect(thrown(() => i.addWatch(dir))).toBeInstanceOf(InotifyError);
  });

  it('is called by a using declaration', () => {
    const before = openFds();
    {
      using i = new Inotify();
      i.addWatch(dir);
      expect(openFds()).toBe(before + 1);
    }
    expect(openFds()).toBe(before);
  });

  it('closes the instance again when a constructor path fails', () => {
    const before = openFds();
    expect(thrown(() => new Inotify({ paths: [dir, path.join(dir, 'missing')] }))).toMatchObject({
      code: 'ENOENT',
    });
    expect(openFds()).toBe(before);
  });
});

describe('options', () => {
  it('rejects bad constructor and generator options with ERR_INVALID_ARG_VALUE', () => {
    expect(thrown(() => new Inotify({ blockDurationS: -1 }))).toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
    });
    expect(thrown(() => new Inotify({ readBufferBytes: 100 }))).toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
    });
    expect(thrown(() => new Inotify({ paths: dir as unknown as string[] }))).toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
    });
    expect(thrown(() => new Inotify({ asyncReads: 'uring' as never }))).toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
      message: `asyncReads must be 'auto', 'event-loop' or 'thread', got "uring"`,
    });
    using i = new Inotify();
    expect(thrown(() => i.eventGen({ timeoutS: Number.NaN }))).toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
    });
    expect(thrown(() => i.eventGen({ terminalEvents: ['IN_OVERFLOW'] }))).toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
    });
    expect(thrown(() => i.events({ signal: {} as AbortSignal }))).toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
    });
  });
});
