/**
 * The built program, run as a child process against the real kernel.
 */

import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  constants,
  futimesSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmdirSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { assertValid } from '../../../packages/record/test/schema.js';
import {
  CLI,
  CliProcess,
  onTerminal,
  READY,
  requireBuild,
  SCRIPT,
  tempDir,
  USER_NAMESPACES,
  withInotifyLimit,
} from './cli-process.js';

/** touch(1) on a new file, with its system calls: open(O_CREAT), futimens, close. */
function touch(path: string): void {
  const fd = openSync(
    path,
    constants.O_WRONLY | constants.O_CREAT | constants.O_NOCTTY | constants.O_NONBLOCK,
    0o666,
  );
  const now = new Date();
  futimesSync(fd, now, now);
  closeSync(fd);
}

/** The original example's actions: `touch aa; rm aa; mkdir dir1; rmdir dir1`. */
function originalScenario(dir: string): void {
  touch(join(dir, 'aa'));
  unlinkSync(join(dir, 'aa'));
  mkdirSync(join(dir, 'dir1'));
  rmdirSync(join(dir, 'dir1'));
}

/** The original example's screen output after the timestamp and logger, names in ascending bit order. */
const ORIGINAL_FIELDS = [
  "WD=(1) MASK=(256) COOKIE=(0) LEN=(16) MASK->NAMES=['IN_CREATE'] FILENAME=[aa]",
  "WD=(1) MASK=(32) COOKIE=(0) LEN=(16) MASK->NAMES=['IN_OPEN'] FILENAME=[aa]",
  "WD=(1) MASK=(4) COOKIE=(0) LEN=(16) MASK->NAMES=['IN_ATTRIB'] FILENAME=[aa]",
  "WD=(1) MASK=(8) COOKIE=(0) LEN=(16) MASK->NAMES=['IN_CLOSE_WRITE'] FILENAME=[aa]",
  "WD=(1) MASK=(512) COOKIE=(0) LEN=(16) MASK->NAMES=['IN_DELETE'] FILENAME=[aa]",
  "WD=(1) MASK=(1073742080) COOKIE=(0) LEN=(16) MASK->NAMES=['IN_CREATE', 'IN_ISDIR'] FILENAME=[dir1]",
  "WD=(1) MASK=(1073742336) COOKIE=(0) LEN=(16) MASK->NAMES=['IN_DELETE', 'IN_ISDIR'] FILENAME=[dir1]",
];

const LOG_PREFIX = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d),(\d{3}) - inotify-demo - INFO - /;

let dir: { readonly path: string; readonly remove: () => void };
let running: CliProcess[] = [];

async function start(
  args: string[],
  options?: {
    env?: NodeJS.ProcessEnv;
    ready?: boolean;
    wrap?: readonly string[];
    user?: { uid: number; gid: number };
  },
): Promise<CliProcess> {
  const cli = await CliProcess.start(args, options);
  running.push(cli);
  return cli;
}

beforeAll(requireBuild);
beforeEach(() => {
  dir = tempDir();
});
afterEach(async () => {
  for (const cli of running) {
    if (cli.child.exitCode === null && cli.child.signalCode === null) {
      cli.child.kill('SIGKILL');
      await cli.exited;
    }
  }
  running = [];
  dir.remove();
});

describe('the original example', () => {
  it("prints the original's field values line by line for touch aa; rm aa; mkdir dir1; rmdir dir1", async () => {
    const cli = await start([dir.path]);
    originalScenario(dir.path);
    const lines = await cli.waitForLines(ORIGINAL_FIELDS.length);
    expect(lines.map((line) => line.replace(LOG_PREFIX, ''))).toEqual(ORIGINAL_FIELDS);
    for (const line of lines) expect(line).toMatch(LOG_PREFIX);
    expect(await cli.stop()).toEqual({ code: 0, signal: null });
    expect(cli.lines()).toHaveLength(ORIGINAL_FIELDS.length);
  });

  it('stamps lines with local time, in the time zone of the process', async () => {
    // Nepal is UTC+05:45 and has had no daylight saving time since 1986.
    const cli = await start([dir.path], { env: { TZ: 'Asia/Kathmandu' } });
    const before = Date.now();
    touch(join(dir.path, 'aa'));
    const [line] = await cli.waitForLines(1);
    const after = Date.now();
    const [, y, mo, d, h, mi, s, ms] = (line?.match(LOG_PREFIX) ?? []).map(Number);
    const printedAsUtc = Date.UTC(y!, mo! - 1, d, h, mi, s, ms);
    const instant = printedAsUtc - (5 * 60 + 45) * 60_000;
    expect(instant).toBeGreaterThanOrEqual(before - 1);
    expect(instant).toBeLessThanOrEqual(after + 1);
  });

  it("says 'Setting up watches.' and 'Watches established.' on stderr, and nothing with -q", async () => {
    const verbose = await start([dir.path]);
    expect(verbose.stderr).toBe('Setting up watches.\nWatches established.\n');
    const quiet = await start(['-q', dir.path], { ready: false });
    // -q prints no ready line: the watch shows in /proc instead.
    await quiet.poll(() => quiet.watchCount() === 1, 'one watch in /proc');
    touch(join(dir.path, 'aa'));
    await quiet.waitForLines(4);
    await quiet.stop();
    expect(quiet.stderr).toBe('');
  });

  it('watches /tmp when given no path', async () => {
    const cli = await start([]);
    const name = `inotify-demo-default-${process.pid}`;
    touch(join('/tmp', name));
    try {
      await cli.waitFor(() => cli.stdout.includes(`FILENAME=[${name}]`), `an event for /tmp/${name}`);
    } finally {
      unlinkSync(join('/tmp', name));
    }
    expect(cli.stdout).toMatch(new RegExp(`MASK->NAMES=\\['IN_CREATE'\\] FILENAME=\\[${name}\\]`));
  });

  it('shows PATH=[...] before FILENAME when several paths are watched, so the directory is known', async () => {
    const second = join(dir.path, 'second');
    mkdirSync(second);
    const cli = await start([dir.path, second]);
    touch(join(second, 'aa'));
    const [line] = await cli.waitForLines(1);
    expect(line?.replace(LOG_PREFIX, '')).toBe(
      `WD=(2) MASK=(256) COOKIE=(0) LEN=(16) MASK->NAMES=['IN_CREATE'] PATH=[${second}] FILENAME=[aa]`,
    );
  });

  it('watches only the events given with -e', async () => {
    const cli = await start(['-e', 'delete', '-e', 'IN_CREATE', dir.path]);
    touch(join(dir.path, 'aa'));
    unlinkSync(join(dir.path, 'aa'));
    const lines = await cli.waitForLines(2);
    await cli.stop();
    expect(cli.lines().map((line) => line.replace(LOG_PREFIX, ''))).toEqual([
      "WD=(1) MASK=(256) COOKIE=(0) LEN=(16) MASK->NAMES=['IN_CREATE'] FILENAME=[aa]",
      "WD=(1) MASK=(512) COOKIE=(0) LEN=(16) MASK->NAMES=['IN_DELETE'] FILENAME=[aa]",
    ]);
    expect(lines).toHaveLength(2);
  });

  it('escapes a newline in a name so that one event stays one line', async () => {
    const cli = await start([dir.path, '-e', 'create']);
    writeFileSync(join(dir.path, 'a\nb'), '');
    const [line] = await cli.waitForLines(1);
    expect(line).toMatch(/FILENAME=\[a\\nb\]$/);
  });
});

describe('--format json', () => {
  it('prints one record of schema v1 per event and round-trips a name with a quote, a newline and a non-UTF-8 byte', async () => {
    const cli = await start(['--format', 'json', '-e', 'create,delete', dir.path]);
    const name = Buffer.concat([Buffer.from('q"uote\nline'), Buffer.from([0xff]), Buffer.from('.txt')]);
    const path = Buffer.concat([Buffer.from(`${dir.path}/`), name]);
    writeFileSync(path, '');
    rmSync(path);
    const lines = await cli.waitForLines(2);
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    assertValid(records);
    expect(records).toHaveLength(2);
    for (const record of records) {
      expect(Buffer.from(record['nameB64'] as string, 'base64').equals(name)).toBe(true);
      expect(record).toMatchObject({
        v: 1,
        kind: 'event',
        name: 'q"uote\nline\uFFFD.txt',
        path: dir.path,
        wd: 1,
        cookie: 0,
        synthetic: false,
      });
    }
    expect(records.map((record) => [record['seq'], record['mask'], record['types']])).toEqual([
      [1, 256, ['IN_CREATE']],
      [2, 512, ['IN_DELETE']],
    ]);
  });
});

describe('--format text', () => {
  it('prints time, event names and the full path, without colors into a pipe', async () => {
    const cli = await start(['--format', 'text', dir.path]);
    mkdirSync(join(dir.path, 'dir1'));
    const [line] = await cli.waitForLines(1);
    expect(line).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3}  CREATE,ISDIR     ${dir.path}/dir1$`));
  });

  it('colors with FORCE_COLOR even into a pipe, and NO_COLOR does not win over it', async () => {
    const cli = await start(['--format', 'text', dir.path], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    mkdirSync(join(dir.path, 'dir1'));
    const [line] = await cli.waitForLines(1);
    expect(line).toContain(`\x1b[32mCREATE,ISDIR    \x1b[39m ${dir.path}/dir1`);
  });
});

describe('ending', () => {
  it('exits with code 2 when -t passes without an event', async () => {
    const started = Date.now();
    const { exit, stdout } = await CliProcess.run(['-q', '-t', '0.5', dir.path]);
    expect(exit).toEqual({ code: 2, signal: null });
    expect(stdout).toBe('');
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
  });

  it('restarts the -t clock at every event', async () => {
    const cli = await start(['-t', '1.5', dir.path]);
    // Five events 0.5 s apart: 2 s in all, longer than the timeout, never 1.5 s without one.
    for (let i = 0; i < 5; i++) {
      touch(join(dir.path, `f${i}`));
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(cli.child.exitCode).toBeNull();
    }
    expect(await cli.end()).toEqual({ code: 2, signal: null });
    expect(cli.lines().filter((line) => line.includes("['IN_CREATE']"))).toHaveLength(5);
  });

  it('exits with code 1 and one line naming the path and the cause for a missing path', async () => {
    const missing = join(dir.path, 'no', 'such');
    const { exit, stdout, stderr } = await CliProcess.run(['-q', missing]);
    expect(exit).toEqual({ code: 1, signal: null });
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `inotify-demo: ${missing}: no such file or directory. Check the path, or create it before watching it.\n`,
    );
  });

  it('exits with code 1 and one line for a path under a file', async () => {
    const file = join(dir.path, 'file');
    writeFileSync(file, '');
    const { exit, stderr } = await CliProcess.run(['-q', join(file, 'x')]);
    expect(exit).toEqual({ code: 1, signal: null });
    expect(stderr).toBe(
      `inotify-demo: ${join(file, 'x')}: a component of the path is not a directory. Check the path.\n`,
    );
  });

  // Skipped where user namespaces are refused: the limits can then not be lowered without
  // touching /proc/sys/fs/inotify, which tests never do.
  it.skipIf(!USER_NAMESPACES)(
    'exits with code 1 and one line naming the watch limit and its sysctl',
    async () => {
      const dirs = ['a', 'b', 'c'].map((name) => join(dir.path, name));
      for (const path of dirs) mkdirSync(path);
      const { exit, stderr } = await CliProcess.run(['-q', ...dirs], {
        wrap: withInotifyLimit('watches', 2),
      });
      expect(exit).toEqual({ code: 1, signal: null });
      expect(stderr).toBe(
        `inotify-demo: ${dirs[2]}: the inotify watch limit (user.max_inotify_watches = 2) is reached. ` +
          'Raise it: sudo sysctl user.max_inotify_watches=524288.\n',
      );
    },
  );

  it.skipIf(!USER_NAMESPACES)(
    'exits with code 1 and one line naming the instance limit and its sysctl',
    async () => {
      const { exit, stderr } = await CliProcess.run(['-q', dir.path], {
        wrap: withInotifyLimit('instances', 0),
      });
      expect(exit).toEqual({ code: 1, signal: null });
      expect(stderr).toBe(
        'inotify-demo: too many inotify instances (user.max_inotify_instances = 0), or too many open files. ' +
          'Close other watchers, or raise it: sudo sysctl user.max_inotify_instances=1024.\n',
      );
    },
  );

  it('exits with code 1 and one line for an unknown option', async () => {
    const { exit, stderr } = await CliProcess.run(['--frobnicate']);
    expect(exit).toEqual({ code: 1, signal: null });
    expect(stderr).toBe("inotify-demo: unknown option '--frobnicate'\n");
  });

  it('exits with code 0 on SIGTERM, and on SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const cli = await start([dir.path]);
      expect(await cli.stop(signal)).toEqual({ code: 0, signal: null });
    }
  });

  it('stops quietly with code 0 when the reader of its stdout goes away', async () => {
    const cli = await start(['-q', dir.path], { ready: false });
    await cli.poll(() => cli.watchCount() === 1, 'one watch in /proc');
    touch(join(dir.path, 'aa'));
    await cli.waitForLines(1);
    cli.child.stdout?.destroy();
    // The next write meets a closed pipe (EPIPE).
    touch(join(dir.path, 'bb'));
    expect(await cli.end()).toEqual({ code: 0, signal: null });
    expect(cli.stderr).toBe('');
  });

  it('exits with code 0 once its last watch is gone', async () => {
    const watched = join(dir.path, 'watched');
    mkdirSync(watched);
    const cli = await start([watched]);
    rmdirSync(watched);
    expect(await cli.end()).toEqual({ code: 0, signal: null });
    expect(cli.lines().map((line) => line.replace(LOG_PREFIX, ''))).toEqual([
      "WD=(1) MASK=(1024) COOKIE=(0) LEN=(0) MASK->NAMES=['IN_DELETE_SELF'] FILENAME=[]",
      "WD=(1) MASK=(32768) COOKIE=(0) LEN=(0) MASK->NAMES=['IN_IGNORED'] FILENAME=[]",
    ]);
    expect(cli.stderr).toContain('inotify-demo: no watches left, exiting.\n');
  });
});

describe('--recursive', () => {
  it('sees a file created in a new nested directory, and watches every level', async () => {
    const cli = await start(['-r', '--format', 'json', dir.path]);
    expect(cli.stderr).toBe(
      'Setting up watches.  Beware: since -r was given, this may take a while!\nWatches established.\n',
    );
    mkdirSync(join(dir.path, 'a', 'b', 'c'), { recursive: true });
    writeFileSync(join(dir.path, 'a', 'b', 'c', 'f'), '');
    const deepest = join(dir.path, 'a', 'b', 'c');
    const isFileCreate = (line: string) => {
      const record = JSON.parse(line) as { path: string; name: string; types: string[] };
      return record.path === deepest && record.name === 'f' && record.types.includes('IN_CREATE');
    };
    await cli.waitFor(() => cli.lines().some(isFileCreate), `IN_CREATE for ${deepest}/f`);
    expect(cli.watchCount()).toBe(4);
  });

  it('adds no watch for a directory --exclude matches, at start or later', async () => {
    for (const sub of ['keep', 'skip/deep']) mkdirSync(join(dir.path, sub), { recursive: true });
    const cli = await start(['-r', '--exclude', '/skip$', '-e', 'create', '--format', 'text', dir.path]);
    // The root and keep/; not skip/ nor skip/deep/ below it.
    expect(cli.watchCount()).toBe(2);
    writeFileSync(join(dir.path, 'skip', 'f'), '');
    writeFileSync(join(dir.path, 'skip', 'deep', 'f'), '');
    mkdirSync(join(dir.path, 'new', 'skip'), { recursive: true });
    writeFileSync(join(dir.path, 'new', 'skip', 'f'), '');
    writeFileSync(join(dir.path, 'keep', 'last'), '');
    await cli.waitFor(() => cli.stdout.includes(`${dir.path}/keep/last`), 'the event for keep/last');
    expect(cli.watchCount()).toBe(3);
    const paths = cli.lines().map((line) => line.split(/\s+/).at(-1));
    expect(paths).toContain(`${dir.path}/new`);
    expect(paths).not.toContain(`${dir.path}/skip/f`);
    expect(paths).not.toContain(`${dir.path}/skip/deep/f`);
    expect(paths).not.toContain(`${dir.path}/new/skip/f`);
  });
});

describe('--recursive, when a directory cannot be watched', () => {
  it.skipIf(!USER_NAMESPACES)(
    'exits with code 1 and one line giving the watches the tree needs and the limit',
    async () => {
      for (const sub of ['a/b', 'c', 'd']) mkdirSync(join(dir.path, sub), { recursive: true });
      const { exit, stderr } = await CliProcess.run(['-q', '-r', dir.path], {
        wrap: withInotifyLimit('watches', 2),
      });
      expect(exit).toEqual({ code: 1, signal: null });
      expect(stderr).toMatch(
        new RegExp(
          `^inotify-demo: ${dir.path}/[a-d/]+: the inotify watch limit \\(user\\.max_inotify_watches = 2\\) is ` +
            'reached: the tree needs 5 watches\\. Raise it: sudo sysctl user\\.max_inotify_watches=524288\\.\\n$',
        ),
      );
    },
  );

  // Skipped unless the tests run as root (as CI does): only root can run the program as nobody.
  it.skipIf(process.getuid?.() !== 0)(
    'warns in one line about a directory it may not read, and watches the rest',
    async (context) => {
      // nobody must be able to read the program: a clone under a 0700 directory (a fresh
      // `mktemp -d`) is out of its reach, whatever the test does.
      const reach = spawnSync(process.execPath, [CLI, '--version'], { uid: 65534, gid: 65534 });
      if (reach.status !== 0) {
        context.skip(`user nobody cannot run ${CLI} (a directory above it is not searchable by others)`);
      }
      for (const sub of ['ok', 'locked/inner']) mkdirSync(join(dir.path, sub), { recursive: true });
      chmodSync(dir.path, 0o755);
      chmodSync(join(dir.path, 'locked'), 0o000);
      // Run as nobody: root may read anything.
      const cli = await start(['-r', dir.path], { user: { uid: 65534, gid: 65534 } });
      const warnings = cli.stderr.split('\n').filter((line) => line.startsWith('inotify-demo: warning: '));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(`'${dir.path}/locked'`);
      expect(warnings[0]).toContain('permission denied');
      expect(cli.watchCount()).toBe(2);
      expect(await cli.stop()).toEqual({ code: 0, signal: null });
    },
  );
});

describe('--exclude', () => {
  it('does not print events whose full path matches, without -r', async () => {
    const cli = await start(['--exclude', '\\.swp$', '-e', 'create', dir.path]);
    writeFileSync(join(dir.path, 'notes.txt.swp'), '');
    writeFileSync(join(dir.path, 'notes.txt'), '');
    const [line] = await cli.waitForLines(1);
    await cli.stop();
    expect(line).toMatch(/FILENAME=\[notes\.txt\]$/);
    expect(cli.lines()).toHaveLength(1);
  });
});

describe('unmount', () => {
  it('prints IN_UNMOUNT and IN_IGNORED when the watched file system goes, then exits 0 with no watch left', async (context) => {
    const mountPoint = join(dir.path, 'mnt');
    mkdirSync(mountPoint);
    const mount = spawnSync('mount', ['-t', 'tmpfs', 'tmpfs', mountPoint], { encoding: 'utf8' });
    if (mount.status !== 0) {
      context.skip(
        `mount refused here (${mount.stderr.trim() || mount.error?.message}): IN_UNMOUNT needs a mount`,
      );
    }
    try {
      const cli = await start([mountPoint]);
      const umount = spawnSync('umount', [mountPoint], { encoding: 'utf8' });
      expect(umount.stderr).toBe('');
      expect(await cli.end()).toEqual({ code: 0, signal: null });
      expect(cli.lines().map((line) => line.replace(LOG_PREFIX, ''))).toEqual([
        // The kernel flags the unmounted watch as a directory.
        "WD=(1) MASK=(1073750016) COOKIE=(0) LEN=(0) MASK->NAMES=['IN_UNMOUNT', 'IN_ISDIR'] FILENAME=[]",
        "WD=(1) MASK=(32768) COOKIE=(0) LEN=(0) MASK->NAMES=['IN_IGNORED'] FILENAME=[]",
      ]);
      expect(cli.stderr).toContain('inotify-demo: no watches left, exiting.\n');
    } finally {
      spawnSync('umount', [mountPoint]);
    }
  });
});

describe('--stats', () => {
  it('prints the inotifywatch-like table on SIGINT and exits 0, counting every event before the signal', async () => {
    const cli = await start(['--stats', dir.path]);
    originalScenario(dir.path);
    expect(await cli.stop('SIGINT')).toEqual({ code: 0, signal: null });
    expect(cli.stdout).toBe(
      [
        'total  attrib  close_write  open  create  delete  filename',
        `7      1       1            1     2       2       ${dir.path}`,
        '',
      ].join('\n'),
    );
  });

  it('prints the counts as one JSON object with --format json', async () => {
    const cli = await start(['--stats', '--format', 'json', dir.path]);
    touch(join(dir.path, 'aa'));
    expect(await cli.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(JSON.parse(cli.stdout)).toEqual({
      stats: {
        total: 4,
        paths: [{ path: dir.path, total: 4, events: { attrib: 1, close_write: 1, open: 1, create: 1 } }],
      },
    });
  });

  // script(1) (util-linux) provides the terminal; skipped where it is missing.
  it.skipIf(!SCRIPT)('redraws the table in place with events/s while stdout is a terminal', async () => {
    const { wrap, args } = onTerminal(['--stats', dir.path]);
    const cli = await start(args, { wrap, ready: false });
    await cli.waitFor(() => cli.stdout.includes(READY), 'the ready line on the terminal');
    for (const name of ['a', 'b', 'c']) touch(join(dir.path, name));
    // Redrawn once a second: 3 touches are 12 events.
    await cli.waitFor(() => /12 events, \d+ events\/s/.test(cli.stdout), 'a redraw with 12 events');
    process.kill(cli.grandchild(), 'SIGINT');
    expect(await cli.end()).toEqual({ code: 0, signal: null });
    const screen = cli.stdout.replaceAll('\r\n', '\n');
    // Every redraw and the final table start by moving up over the last drawing and clearing it.
    expect(screen).toContain('0 events, 0 events/s\nNo events occurred.\n\x1b[2F\x1b[J');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape sequence is what is tested.
    expect(screen).toMatch(/\x1b\[J12 events, \d+ events\/s\ntotal {2}attrib/);
    expect(screen).toContain('\x1b[3F\x1b[Jtotal');
    const final = screen.slice(screen.lastIndexOf('\x1b[J') + 3);
    expect(final).toBe(
      [
        'total  attrib  close_write  open  create  filename',
        `12     3       3            3     3       ${dir.path}`,
        '',
      ].join('\n'),
    );
  });

  it('says no events occurred when there were none', async () => {
    const cli = await start(['--stats', dir.path]);
    await cli.stop();
    expect(cli.stdout).toBe('No events occurred.\n');
  });
});

describe('overflow', () => {
  it('prints the overflow as a WARNING line, warns on stderr, and goes on watching', async () => {
    const limit = Number(readFileSync('/proc/sys/fs/inotify/max_queued_events', 'latin1'));
    const file = join(dir.path, 'f');
    writeFileSync(file, '');
    const cli = await start([dir.path, '-e', 'open,close_nowrite']);
    // Stopped, the program reads nothing: fill the kernel's queue past its limit meanwhile.
    cli.child.kill('SIGSTOP');
    await cli.poll(() => cli.state() === 'T', 'the process to stop');
    for (let i = 0; i < limit / 2 + 10; i++) closeSync(openSync(file, 'r'));
    cli.child.kill('SIGCONT');
    await cli.waitFor(() => cli.stdout.includes('IN_Q_OVERFLOW'), 'the overflow line');
    touch(join(dir.path, 'after'));
    await cli.waitFor(() => cli.stdout.includes('FILENAME=[after]'), 'an event after the overflow');
    const lines = cli.lines();
    const overflow = lines.filter((line) => line.includes('IN_Q_OVERFLOW'));
    expect(overflow).toHaveLength(1);
    expect(overflow[0]).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} - inotify-demo - WARNING - WD=\(-1\) MASK=\(16384\) COOKIE=\(0\) LEN=\(0\) MASK->NAMES=\['IN_Q_OVERFLOW'\] FILENAME=\[\]$/,
    );
    // The kernel queues max_queued_events events, then the overflow.
    expect(lines.indexOf(overflow[0]!)).toBe(limit);
    expect(cli.stderr).toContain(
      "inotify-demo: warning: the kernel's event queue overflowed (IN_Q_OVERFLOW): events were lost.",
    );
    expect(await cli.stop()).toEqual({ code: 0, signal: null });
  });
});
