import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { worldReadableCopy } from '../../../scripts/test-support/world-readable-copy.mjs';
import { IN, runChild, useTempDirs } from '../test/helpers.js';
import { close } from './close.js';
import { ERRNO_DESCRIPTIONS, errnoName } from './errno.js';
import { InotifyError } from './errors.js';
import { addWatch, init, pendingBytes, read, rmWatch } from './inotify.js';
import { createWakeFd, poll } from './poll.js';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

const tempDir = useTempDirs();

/** Runs `fn`, expects it to throw, and returns what it threw. */
function thrown(fn: () => unknown): Record<string, unknown> & Error {
  try {
    fn();
  } catch (error) {
    return error as Record<string, unknown> & Error;
  }
  throw new Error('expected a throw');
}

let fd: number;
beforeEach(() => {
  fd = init();
});
afterEach(() => {
  try {
    close(fd);
  } catch {
    // The EBADF tests close it themselves.
  }
});

describe('InotifyError from inotify_add_watch', () => {
  it('reports ENOENT for a missing path, naming the path', () => {
    const path = join(tempDir(), 'missing');
    const error = thrown(() => addWatch(fd, path, IN.CREATE));
    expect(error).toBeInstanceOf(InotifyError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'InotifyError',
      code: 'ENOENT',
      errno: constants.errno.ENOENT,
      syscall: 'inotify_add_watch',
      path,
      fd,
    });
    expect(error.message).toBe(
      `ENOENT: inotify_add_watch '${path}' failed: '${path}' does not exist (or a directory in it does not, ` +
        'or it is a dangling symbolic link); create it first or watch its parent directory',
    );
  });

  it('reports ENOTDIR when a path component is a file (/dev/null/foo)', () => {
    const error = thrown(() => addWatch(fd, '/dev/null/foo', IN.CREATE));
    expect(error).toMatchObject({
      code: 'ENOTDIR',
      errno: 20,
      syscall: 'inotify_add_watch',
      path: '/dev/null/foo',
    });
    expect(error.message).toBe(
      "ENOTDIR: inotify_add_watch '/dev/null/foo' failed: a component of '/dev/null/foo' is not a directory",
    );
  });

  it('reports ENOTDIR for IN_ONLYDIR on a file, naming the flag', () => {
    const file = join(tempDir(), 'file');
    writeFileSync(file, '');
    const error = thrown(() => addWatch(fd, file, IN.CREATE | IN.ONLYDIR));
    expect(error).toMatchObject({ code: 'ENOTDIR', path: file });
    expect(error.message).toBe(
      `ENOTDIR: inotify_add_watch '${file}' failed: '${file}' is not a directory, and IN_ONLYDIR asks for one`,
    );
  });

  it('reports EINVAL for a mask of 0', () => {
    const dir = tempDir();
    const error = thrown(() => addWatch(fd, dir, 0));
    expect(error).toMatchObject({ code: 'EINVAL', errno: 22, syscall: 'inotify_add_watch', path: dir });
    expect(error.message).toBe(
      `EINVAL: inotify_add_watch '${dir}' failed: invalid mask 0x00000000 for '${dir}': ` +
        'the mask is 0; it needs at least one event bit (IN_ACCESS .. IN_DELETE_SELF)',
    );
  });

  it('reports EINVAL for IN_MASK_ADD together with IN_MASK_CREATE', () => {
    const dir = tempDir();
    const error = thrown(() => addWatch(fd, dir, IN.CREATE | IN.MASK_ADD | IN.MASK_CREATE));
    expect(error).toMatchObject({ code: 'EINVAL', path: dir });
    expect(error.message).toBe(
      `EINVAL: inotify_add_watch '${dir}' failed: invalid mask 0x30000100 for '${dir}': ` +
        'IN_MASK_ADD and IN_MASK_CREATE cannot be combined',
    );
  });

  it('reports EINVAL for bits inotify does not define', () => {
    const dir = tempDir();
    const error = thrown(() => addWatch(fd, dir, IN.CREATE | 0x1000));
    expect(error).toMatchObject({ code: 'EINVAL', path: dir });
    expect(error.message).toContain('the mask has bits inotify does not define (0x00001000)');
  });

  it('reports EINVAL naming what the fd is when it is not an inotify instance', () => {
    const wakeFd = createWakeFd();
    try {
      const error = thrown(() => addWatch(wakeFd, tempDir(), IN.CREATE));
      expect(error).toMatchObject({ code: 'EINVAL', fd: wakeFd });
      expect(error.message).toMatch(
        / failed: fd \d+ is not an inotify instance \(it is anon_inode:\[eventfd\]\)$/,
      );
    } finally {
      close(wakeFd);
    }
  });

  it('reports EEXIST for IN_MASK_CREATE on a path already watched', () => {
    const dir = tempDir();
    addWatch(fd, dir, IN.CREATE);
    const error = thrown(() => addWatch(fd, dir, IN.DELETE | IN.MASK_CREATE));
    expect(error).toMatchObject({ code: 'EEXIST', errno: 17, syscall: 'inotify_add_watch', path: dir });
    expect(error.message).toBe(
      `EEXIST: inotify_add_watch '${dir}' failed: '${dir}' is already watched by this inotify instance and ` +
        'IN_MASK_CREATE forbids changing that watch; drop IN_MASK_CREATE to update the existing watch',
    );
  });

  it('reports ENAMETOOLONG for a name over 255 bytes', () => {
    const path = join(tempDir(), 'x'.repeat(256));
    expect(thrown(() => addWatch(fd, path, IN.CREATE))).toMatchObject({ code: 'ENAMETOOLONG', path });
  });

  it('reports ELOOP for a symbolic link loop', () => {
    const dir = tempDir();
    symlinkSync(join(dir, 'b'), join(dir, 'a'));
    symlinkSync(join(dir, 'a'), join(dir, 'b'));
    const error = thrown(() => addWatch(fd, join(dir, 'a'), IN.CREATE));
    expect(error).toMatchObject({ code: 'ELOOP', path: join(dir, 'a') });
    expect(error.message).toContain(`too many symbolic links while resolving '${join(dir, 'a')}'`);
  });

  it('reports EACCES for a directory the user cannot read (as nobody, in a child process)', () => {
    const dir = tempDir();
    const secret = join(dir, 'secret');
    mkdirSync(secret);
    chmodSync(secret, 0o700);
    chmodSync(dir, 0o755);
    // nobody may not enter the clone's directories (under a 0700 dir, say): it loads a copy.
    const copy = worldReadableCopy([PACKAGE_DIR]);
    const child = runChild(
      `const fd = S.init();
       try { S.addWatch(fd, ${JSON.stringify(secret)}, 0x100); console.log('no error'); }
       catch (e) { console.log(JSON.stringify({ code: e.code, errno: e.errno, syscall: e.syscall, path: e.path, message: e.message })); }`,
      { uid: 65534, gid: 65534, index: copy.entry('@inotify-ts/syscall') },
    );
    rmSync(copy.root, { recursive: true, force: true });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual({
      code: 'EACCES',
      errno: 13,
      syscall: 'inotify_add_watch',
      path: secret,
      message:
        `EACCES: inotify_add_watch '${secret}' failed: permission denied: watching '${secret}' needs read ` +
        'permission on it and search (x) permission on every directory above it',
    });
  });
});

/** Whether this system lets us create a user namespace (to lower inotify limits privately). */
const userns = spawnSync('unshare', ['-U', '-r', 'true']).status === 0;

describe('limit errors, produced for real', () => {
  // The limits are lowered only inside a throwaway user namespace (/proc/sys/user/max_inotify_*
  // there is private to it); /proc/sys/fs/inotify is never touched.
  it.skipIf(!userns)('reports ENOSPC as the watch limit with its value and the sysctl that raises it', () => {
    const dirs = [tempDir(), tempDir(), tempDir()];
    const child = runChild(
      `const fd = S.init();
       S.addWatch(fd, ${JSON.stringify(dirs[0])}, 0x100);
       S.addWatch(fd, ${JSON.stringify(dirs[1])}, 0x100);
       try { S.addWatch(fd, ${JSON.stringify(dirs[2])}, 0x100); console.log('no error'); }
       catch (e) { console.log(JSON.stringify({ code: e.code, errno: e.errno, syscall: e.syscall, path: e.path, message: e.message })); }`,
      { prefix: ['unshare', '-U', '-r'], shell: 'echo 2 > /proc/sys/user/max_inotify_watches' },
    );
    expect(child.stderr).toBe('');
    const dir = dirs[2]!;
    expect(JSON.parse(child.stdout)).toEqual({
      code: 'ENOSPC',
      errno: 28,
      syscall: 'inotify_add_watch',
      path: dir,
      message:
        `ENOSPC: inotify_add_watch '${dir}' failed: the inotify watch limit is reached (user.max_inotify_watches = 2) ` +
        `while watching '${dir}'. ENOSPC from inotify_add_watch means the per-user watch limit (or a kernel resource ` +
        'limit), not a full disk. Remove watches you no longer need (other programs of the same user count too), ' +
        'or raise the limit: sysctl user.max_inotify_watches=128 (put it in /etc/sysctl.d/ to keep it across reboots)',
    });
  });

  it.skipIf(!userns)('reports EMFILE from inotify_init1 as the instance limit with its value', () => {
    const child = runChild(
      `const fd = S.init();
       try { S.init(); console.log('no error'); }
       catch (e) { console.log(JSON.stringify({ code: e.code, errno: e.errno, syscall: e.syscall, message: e.message })); }`,
      { prefix: ['unshare', '-U', '-r'], shell: 'echo 1 > /proc/sys/user/max_inotify_instances' },
    );
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual({
      code: 'EMFILE',
      errno: 24,
      syscall: 'inotify_init1',
      message:
        'EMFILE: inotify_init1 failed: the per-user inotify instance limit is reached (user.max_inotify_instances = 1). ' +
        'Close inotify instances you no longer need (other programs of the same user count too), or raise the limit: ' +
        'sysctl user.max_inotify_instances=128 (put it in /etc/sysctl.d/ to keep it across reboots)',
    });
  });

  it('reports EMFILE from inotify_init1 as the open file limit when RLIMIT_NOFILE is what was reached', () => {
    const child = runChild(
      `let n = 0;
       try { for (;;) { S.init(); n++; } }
       catch (e) { console.log(JSON.stringify({ opened: n > 0, code: e.code, syscall: e.syscall, message: e.message })); }`,
      { shell: 'ulimit -n 64' },
    );
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual({
      opened: true,
      code: 'EMFILE',
      syscall: 'inotify_init1',
      message:
        'EMFILE: inotify_init1 failed: this process has reached its open file limit (RLIMIT_NOFILE = 64, 64 fds open). ' +
        'Close file descriptors you no longer need, or raise the limit (ulimit -n, or LimitNOFILE= for a systemd service)',
    });
  });
});

describe('EBADF after close', () => {
  it('is reported by every call on a closed instance', () => {
    const dir = tempDir();
    close(fd);
    const expected = { code: 'EBADF', errno: constants.errno.EBADF, fd };
    expect(thrown(() => addWatch(fd, dir, IN.CREATE))).toMatchObject({
      ...expected,
      syscall: 'inotify_add_watch',
    });
    expect(thrown(() => rmWatch(fd, 1))).toMatchObject({ ...expected, syscall: 'inotify_rm_watch' });
    expect(thrown(() => read(fd, new Uint8Array(4096)))).toMatchObject({ ...expected, syscall: 'read' });
    expect(thrown(() => pendingBytes(fd))).toMatchObject({ ...expected, syscall: 'ioctl' });
    // poll(2) reports a closed fd as POLLNVAL, not as an error: poll() turns it into EBADF.
    expect(thrown(() => poll(fd, 0))).toMatchObject({ ...expected, syscall: 'poll' });
    const error = thrown(() => close(fd));
    expect(error).toMatchObject({ ...expected, syscall: 'close' });
    expect(error.message).toBe(
      `EBADF: close (fd ${fd}) failed: fd ${fd} is not an open file descriptor (was it already closed?)`,
    );
    expect(thrown(() => addWatch(fd, dir, IN.CREATE)).message).toBe(
      `EBADF: inotify_add_watch '${dir}' failed: fd ${fd} is not an open file descriptor (was the inotify instance closed?)`,
    );
  });
});

describe('other syscall errors', () => {
  it('reports EINVAL from rmWatch for a wd that is not a watch', () => {
    const error = thrown(() => rmWatch(fd, 4242));
    expect(error).toMatchObject({ code: 'EINVAL', errno: 22, syscall: 'inotify_rm_watch', fd });
    expect(error.message).toBe(
      `EINVAL: inotify_rm_watch (fd ${fd}) failed: wd 4242 is not a watch of inotify instance fd ${fd} ` +
        '(already removed, removed by IN_ONESHOT, or its file was deleted)',
    );
  });

  it('reports ENOTTY from pendingBytes on an fd that is not an inotify instance', () => {
    const wakeFd = createWakeFd();
    try {
      const error = thrown(() => pendingBytes(wakeFd));
      expect(error).toMatchObject({ code: 'ENOTTY', syscall: 'ioctl', fd: wakeFd });
      expect(error.message).toBe(
        `ENOTTY: ioctl (fd ${wakeFd}) failed: fd ${wakeFd} is not an inotify instance (it is anon_inode:[eventfd])`,
      );
    } finally {
      close(wakeFd);
    }
  });
});

describe('argument validation before any syscall', () => {
  it.each([
    [
      'fd as a string',
      () => addWatch('3' as never, '/tmp', 1),
      TypeError,
      'ERR_INVALID_ARG_TYPE',
      'The "fd" argument must be of type number. Received type string ("3")',
    ],
    [
      'a negative fd',
      () => read(-1, new Uint8Array(4096)),
      RangeError,
      'ERR_OUT_OF_RANGE',
      'The value of "fd" is out of range. It must be an integer >= 0 and <= 2147483647. Received -1',
    ],
    [
      'a fractional fd',
      () => pendingBytes(1.5),
      RangeError,
      'ERR_OUT_OF_RANGE',
      'The value of "fd" is out of range. It must be an integer >= 0 and <= 2147483647. Received 1.5',
    ],
    [
      'a mask over 32 bits',
      () => addWatch(0, '/tmp', 2 ** 32),
      RangeError,
      'ERR_OUT_OF_RANGE',
      'The value of "mask" is out of range. It must be a 32-bit integer (>= -2147483648 and <= 4294967295). Received 4294967296',
    ],
    [
      'a mask as a string',
      () => addWatch(0, '/tmp', '256' as never),
      TypeError,
      'ERR_INVALID_ARG_TYPE',
      'The "mask" argument must be of type number. Received type string ("256")',
    ],
    [
      'a path with a NUL',
      () => addWatch(0, '/tmp\0/x', 1),
      TypeError,
      'ERR_INVALID_ARG_VALUE',
      'The argument \'path\' must be a string or Uint8Array without null bytes. Received type string ("/tmp\\u0000/x")',
    ],
    [
      'path bytes with a NUL',
      () => addWatch(0, new Uint8Array([47, 0, 47]), 1),
      TypeError,
      'ERR_INVALID_ARG_VALUE',
      "The argument 'path' must be a string or Uint8Array without null bytes. Received an instance of Uint8Array",
    ],
    [
      'a path as a number',
      () => addWatch(0, 5 as never, 1),
      TypeError,
      'ERR_INVALID_ARG_TYPE',
      'The "path" argument must be of type string or an instance of Uint8Array. Received type number (5)',
    ],
    [
      'a read buffer that is not a Uint8Array',
      () => read(0, new ArrayBuffer(4096) as never),
      TypeError,
      'ERR_INVALID_ARG_TYPE',
      'The "into" argument must be an instance of Uint8Array. Received an instance of ArrayBuffer',
    ],
    [
      'a poll timeout of NaN',
      () => poll(0, Number.NaN),
      RangeError,
      'ERR_OUT_OF_RANGE',
      'The value of "timeoutMs" is out of range. It must be a number of milliseconds (negative or Infinity: none). Received NaN',
    ],
    [
      'a wd that is not an integer',
      () => rmWatch(0, 1.5),
      RangeError,
      'ERR_OUT_OF_RANGE',
      'The value of "wd" is out of range. It must be an integer >= -2147483648 and <= 2147483647. Received 1.5',
    ],
  ])('rejects %s with a %s', (_what, call, type, code, message) => {
    const error = thrown(call);
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ code, message });
  });

  it('rejects a read buffer under 272 bytes, saying why', () => {
    const error = thrown(() => read(fd, new Uint8Array(100)));
    expect(error).toBeInstanceOf(RangeError);
    expect(error).toMatchObject({
      code: 'ERR_BUFFER_TOO_SMALL',
      message:
        'The read buffer has 100 bytes; it must have at least 272 (sizeof(struct inotify_event) + NAME_MAX + 1), ' +
        'or the kernel fails the read with EINVAL when the next event has a long name',
    });
  });
});

describe('errnoName', () => {
  it('names errno values as this platform defines them', () => {
    expect(errnoName(constants.errno.ENOSPC)).toBe('ENOSPC');
    expect(errnoName(constants.errno.EAGAIN)).toBe('EAGAIN');
    expect(errnoName(100_000)).toBe('UNKNOWN');
  });

  it('has a description for names that all exist on this platform', () => {
    for (const name of Object.keys(ERRNO_DESCRIPTIONS)) {
      expect(constants.errno[name as keyof typeof constants.errno], name).toBeTypeOf('number');
    }
  });
});
