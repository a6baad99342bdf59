/**
 * Directories the tree cannot watch or list are reported (onError, unreadable()) and not fatal.
 *
 * The tests run as root, whom permissions do not stop; the tree's syscalls run with the effective
 * uid and gid of nobody (seteuid/setegid, restored right after), so the kernel checks them as it
 * would for any unprivileged user.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../../test/helpers.js';
import { expectWatching, kernelWatches, kev, readTree, treeFd } from '../../test/tree-helpers.js';
import { type InotifyError, InotifyTree } from '../index.js';

const NOBODY = 65534;
const { seteuid, setegid, geteuid } = process;
/** seteuid exists on the main thread of a process (not in a worker) and needs root. */
const canSwitch = seteuid !== undefined && setegid !== undefined && geteuid?.() === 0;

/** Runs `f` with the effective uid and gid of nobody. */
function asNobody<T>(f: () => T): T {
  setegid!(NOBODY);
  seteuid!(NOBODY);
  try {
    return f();
  } finally {
    seteuid!(0);
    setegid!(0);
  }
}

function fields(e: InotifyError): object {
  return { code: e.code, errno: e.errno, syscall: e.syscall, path: e.path, message: e.message };
}

// Whatever the tree loads on first use (the decoder's .wasm) is loaded now, as root: nobody
// may not enter the clone's directories (under a 0700 dir, say).
beforeAll(() => {
  const warm = tempDir();
  using tree = new InotifyTree(warm);
  fs.mkdirSync(path.join(warm, 'd'));
  readTree(tree);
  removeDir(warm);
});

let dir: string;
beforeEach(() => {
  dir = tempDir();
  fs.chmodSync(dir, 0o755);
});
afterEach(() => removeDir(dir));

describe.skipIf(!canSwitch)(
  'InotifyTree with unreadable directories (effective uid nobody; needs root)',
  () => {
    it('reports a directory it may not read at start-up, watches the rest, and goes on', () => {
      const open = path.join(dir, 'open');
      const locked = path.join(dir, 'locked');
      fs.mkdirSync(open, { mode: 0o755 });
      fs.mkdirSync(path.join(locked, 'inside'), { recursive: true, mode: 0o700 });
      const errors: InotifyError[] = [];
      using tree = asNobody(() => new InotifyTree(dir, { onError: (e) => errors.push(e) }));
      expect(errors.map(fields)).toEqual([
        {
          code: 'EACCES',
          errno: 13,
          syscall: 'inotify_add_watch',
          path: locked,
          message:
            `EACCES: inotify_add_watch '${locked}' failed: permission denied: watching '${locked}' needs read ` +
            'permission on it and search (x) permission on every directory above it; the tree does not watch it or anything inside it',
        },
      ]);
      expect(tree.unreadable()).toEqual(new Map([[locked, errors[0]]]));
      expectWatching(tree, [dir, open]);
    });

    it('reports the subdirectories of a directory it may list but not search', () => {
      const noSearch = path.join(dir, 'no-search');
      fs.mkdirSync(path.join(noSearch, 'child'), { recursive: true });
      fs.chmodSync(noSearch, 0o744);
      const errors: InotifyError[] = [];
      using tree = asNobody(() => new InotifyTree(dir, { onError: (e) => errors.push(e) }));
      const child = path.join(noSearch, 'child');
      expect(errors.map((e) => [e.code, e.syscall, e.path])).toEqual([
        ['EACCES', 'inotify_add_watch', child],
      ]);
      expectWatching(tree, [dir, noSearch]);
    });

    it('reports a directory that appears unreadable while the tree runs, delivers its creation, and forgets it once deleted', () => {
      const errors: InotifyError[] = [];
      using tree = asNobody(() => new InotifyTree(dir, { onError: (e) => errors.push(e) }));
      const late = path.join(dir, 'late');
      fs.mkdirSync(late, { mode: 0o700 });
      const events = asNobody(() => readTree(tree));
      expect(events).toEqual([kev(1, 1073742080, ['IN_CREATE', 'IN_ISDIR'], dir, 'late')]);
      expect(errors.map((e) => [e.code, e.syscall, e.path])).toEqual([['EACCES', 'inotify_add_watch', late]]);
      expect([...tree.unreadable().keys()]).toEqual([late]);
      expect(kernelWatches(treeFd(tree)).size).toBe(1);
      fs.rmdirSync(late);
      expect(asNobody(() => readTree(tree))).toEqual([
        kev(1, 1073742336, ['IN_DELETE', 'IN_ISDIR'], dir, 'late'),
      ]);
      expect(tree.unreadable().size).toBe(0);
    });

    it('fails with EACCES when the root itself may not be read, leaving nothing open', () => {
      const root = path.join(dir, 'root');
      fs.mkdirSync(root, { mode: 0o700 });
      const fds = fs.readdirSync('/proc/self/fd').length;
      expect(() => asNobody(() => new InotifyTree(root))).toThrow(
        expect.objectContaining({ code: 'EACCES', errno: 13, syscall: 'inotify_add_watch', path: root }),
      );
      expect(fs.readdirSync('/proc/self/fd').length).toBe(fds);
    });
  },
);
