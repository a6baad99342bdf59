/**
 * Errors of trees: bad arguments and roots (clear errors, nothing left open), and the watch limit
 * (ENOSPC) for real, at start-up and while the tree grows, in a throwaway user namespace whose
 * user.max_inotify_watches is lowered (fs.inotify.* is never touched).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openFds, removeDir, tempDir } from '../../test/helpers.js';
import { IN_ALL_EVENTS, IN_CREATE, IN_MASK_ADD, IN_ONESHOT, InotifyTree, InotifyTrees } from '../index.js';

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => removeDir(dir));

const DIST = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

describe('InotifyTree arguments and roots', () => {
  it('fails with a clear error for a root that does not exist, is a file, or is a symbolic link, leaving no fd open', () => {
    const fds = openFds();
    const missing = path.join(dir, 'missing');
    expect(() => new InotifyTree(missing)).toThrow(
      expect.objectContaining({ code: 'ENOENT', errno: 2, syscall: 'inotify_add_watch', path: missing }),
    );
    const file = path.join(dir, 'file');
    fs.writeFileSync(file, '');
    expect(() => new InotifyTree(file)).toThrow(
      expect.objectContaining({
        code: 'ENOTDIR',
        path: file,
        message: `ENOTDIR: inotify_add_watch '${file}' failed: '${file}' is not a directory, and IN_ONLYDIR asks for one`,
      }),
    );
    const link = path.join(dir, 'link');
    fs.symlinkSync(dir, link);
    expect(() => new InotifyTree(link)).toThrow(
      expect.objectContaining({
        code: 'ENOTDIR',
        errno: 20,
        syscall: 'inotify_add_watch',
        path: link,
        message: `ENOTDIR: tree root '${link}' is a symbolic link, and a tree follows no symbolic links; pass its target (fs.realpathSync())`,
      }),
    );
    expect(openFds()).toBe(fds);
  });

  it('refuses bad paths, masks and options with ERR_INVALID_ARG_VALUE or EINVAL, naming what is wrong', () => {
    const fds = openFds();
    const invalid = (message: string) =>
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE', errno: 22, message });
    expect(() => new InotifyTrees(dir as unknown as string[])).toThrow(
      invalid('paths must be a list of directory paths; wrap a single path in an array, or use InotifyTree'),
    );
    expect(() => new InotifyTrees([])).toThrow(invalid('a tree needs at least one root'));
    expect(() => new InotifyTree(42 as unknown as string)).toThrow(
      invalid('the tree root must be a string path, got number'),
    );
    expect(() => new InotifyTree(dir, { mask: IN_CREATE | IN_ONESHOT })).toThrow(
      invalid(
        'a tree mask cannot hold IN_ONESHOT, IN_MASK_ADD or IN_MASK_CREATE: the tree adds and re-adds its watches itself',
      ),
    );
    expect(() => new InotifyTree(dir, { mask: IN_ALL_EVENTS | IN_MASK_ADD })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
    expect(() => new InotifyTree(dir, { mask: 0 })).toThrow(
      expect.objectContaining({ code: 'EINVAL', path: dir }),
    );
    expect(() => new InotifyTree(dir, { ignoredDirs: ['a/b'] })).toThrow(
      invalid(
        'ignoredDirs: "a/b" is a relative path; give a bare name (matched at any depth) or an absolute path',
      ),
    );
    expect(() => new InotifyTree(dir, { ignoredDirs: 'node_modules' as unknown as string[] })).toThrow(
      invalid(
        'ignoredDirs must be a list of directory names or absolute paths, or a function (path, name) => boolean',
      ),
    );
    expect(() => new InotifyTree(dir, { onError: 'log' as unknown as () => void })).toThrow(
      invalid('onError must be a function, got string'),
    );
    expect(() => new InotifyTree(dir, { rescanIntervalS: -1 })).toThrow(
      invalid('rescanIntervalS must be a finite number of seconds >= 0, got -1'),
    );
    expect(openFds()).toBe(fds);
  });

  it('reports roots as absolute normalized paths, and closes idempotently', () => {
    fs.mkdirSync(path.join(dir, 'sub'));
    const tree = new InotifyTree(`${dir}/./sub/../`);
    expect(tree.root).toBe(dir);
    expect([...tree.watches().keys()].sort()).toEqual([dir, path.join(dir, 'sub')]);
    tree.close();
    tree.close();
    expect(tree.closed).toBe(true);
    expect(tree.watches().size).toBe(0);
    expect(() => tree.eventGen()).toThrow(expect.objectContaining({ code: 'ERR_INOTIFY_CLOSED' }));
  });
});

/** Whether this system lets us create a user namespace (to lower the watch limit privately). */
const userns = spawnSync('unshare', ['-U', '-r', 'true']).status === 0;

/** Runs `code` (an ES module, `T` bound to the built package) in a user namespace whose watch limit is `limit`. */
function inNamespace(limit: number, code: string): unknown {
  if (!fs.existsSync(DIST)) throw new Error(`${DIST} is missing: build the package first (pnpm build)`);
  const script = `import * as T from ${JSON.stringify(DIST)};\nimport fs from 'node:fs';\n${code}`;
  const child = spawnSync(
    'unshare',
    [
      '-U',
      '-r',
      '/bin/sh',
      '-c',
      `echo ${limit} > /proc/sys/user/max_inotify_watches && exec "$@"`,
      'sh',
      process.execPath,
      '--input-type=module',
      '-e',
      script,
    ],
    { encoding: 'utf8', timeout: 20_000 },
  );
  expect(child.stderr).toBe('');
  return JSON.parse(child.stdout);
}

const LIMIT_TAIL =
  'ENOSPC from inotify_add_watch means the per-user watch limit (or a kernel resource limit), not a full disk. ' +
  'Remove watches you no longer need (other programs of the same user count too), or raise the limit: ' +
  'sysctl user.max_inotify_watches=128 (put it in /etc/sysctl.d/ to keep it across reboots)';

describe.skipIf(!userns)(
  'InotifyTree at the watch limit (user namespace with user.max_inotify_watches lowered)',
  () => {
    it('stops at start-up with the watches needed, the limit and the sysctl, leaving nothing open', () => {
      for (const d of ['a/b', 'c/d']) fs.mkdirSync(path.join(dir, d), { recursive: true });
      const out = inNamespace(
        3,
        `const fds = fs.readdirSync('/proc/self/fd').length;
       let error;
       try { new T.InotifyTree(${JSON.stringify(dir)}); } catch (e) { error = e; }
       console.log(JSON.stringify({
         error: error && { code: error.code, errno: error.errno, syscall: error.syscall, path: error.path, message: error.message,
           needed: error.needed, held: error.held, typed: error instanceof T.TreeWatchLimitError },
         leaked: fs.readdirSync('/proc/self/fd').length - fds,
       }));`,
      ) as { error: { path: string }; leaked: number };
      const failed = out.error.path;
      expect(out).toEqual({
        error: {
          code: 'ENOSPC',
          errno: 28,
          syscall: 'inotify_add_watch',
          path: failed,
          message:
            `ENOSPC: watching the tree under '${dir}' needs 5 watches, and only 3 could be added. ` +
            `inotify_add_watch '${failed}' failed: the inotify watch limit is reached (user.max_inotify_watches = 3) ` +
            `while watching '${failed}'. ${LIMIT_TAIL}`,
          needed: 5,
          held: 3,
          typed: true,
        },
        leaked: 0,
      });
    });

    it('throws ENOSPC from eventGen() after the events found before the limit, and loses no event', () => {
      fs.mkdirSync(path.join(dir, 'sub'));
      const out = inNamespace(
        3,
        `const tree = new T.InotifyTree(${JSON.stringify(dir)});
       fs.mkdirSync(${JSON.stringify(path.join(dir, 'new', 'a', 'b'))}, { recursive: true });
       const show = (e) => [e.typeNames.join('|'), e.path, e.filename, e.synthetic === true];
       const before = [];
       let error;
       try { for (const e of tree.eventGen({ timeoutS: 0.3, yieldNones: false })) before.push(show(e)); }
       catch (e) { error = { code: e.code, path: e.path, message: e.message, needed: e.needed, held: e.held }; }
       const after = [...tree.eventGen({ timeoutS: 0.3, yieldNones: false })].map(show);
       console.log(JSON.stringify({ before, error, after: after.slice(0, 2), watches: [...tree.watches().keys()].sort() }));`,
      );
      const failed = path.join(dir, 'new', 'a');
      expect(out).toEqual({
        before: [
          ['IN_CREATE|IN_ISDIR', dir, 'new', false],
          ['IN_CREATE|IN_ISDIR', path.join(dir, 'new'), 'a', true],
        ],
        error: {
          code: 'ENOSPC',
          path: failed,
          message:
            `ENOSPC: the tree under '${dir}' now needs at least 5 watches and holds 3: directories that appeared are not all watched. ` +
            `inotify_add_watch '${failed}' failed: the inotify watch limit is reached (user.max_inotify_watches = 3) ` +
            `while watching '${failed}'. ${LIMIT_TAIL}`,
          needed: 5,
          held: 3,
        },
        // What follows is the kernel's report of the tree's own listing of 'new' (IN_OPEN, ...).
        after: [
          ['IN_OPEN|IN_ISDIR', dir, 'new', false],
          ['IN_OPEN|IN_ISDIR', path.join(dir, 'new'), '', false],
        ],
        watches: [dir, path.join(dir, 'new'), path.join(dir, 'sub')],
      });
    });

    it('throws ENOSPC from batches() after the batches of what was found before the limit', () => {
      const out = inNamespace(
        2,
        `const tree = new T.InotifyTree(${JSON.stringify(dir)});
       fs.mkdirSync(${JSON.stringify(path.join(dir, 'new', 'a'))}, { recursive: true });
       const seen = [];
       let error;
       try {
         for await (const b of tree.batches()) {
           for (let i = 0; i < b.count; i++) seen.push([b.name(i), b.synthetic?.[i] === 1]);
         }
       } catch (e) { error = e.code; }
       const next = [];
       for await (const b of tree.batches()) {
         for (let i = 0; i < b.count; i++) next.push([T.maskNames(b.mask[i] & ~T.IN_ISDIR).join('|'), b.name(i), b.synthetic?.[i] === 1]);
         break;
       }
       const listing = next.every(([m, n, s]) => /^IN_(OPEN|ACCESS|CLOSE_NOWRITE)$/.test(m) && ['new', '', 'a'].includes(n) && !s);
       console.log(JSON.stringify({ seen, error, listing }));
       tree.close();`,
      );
      expect(out).toEqual({
        seen: [
          ['new', false],
          ['a', true],
        ],
        error: 'ENOSPC',
        // The next batch: the kernel's records of the tree's own listing of 'new' (and of the
        // count of what 'a' holds), nothing synthetic, nothing lost before them.
        listing: true,
      });
    });
  },
);
