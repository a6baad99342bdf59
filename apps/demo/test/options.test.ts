/**
 * The options beyond event printing, run as child processes against the real kernel: globs,
 * -o, -d, -s, -P (against inotifywait where it has the option), and inotify-demo-watch's -v.
 */
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { requireBuild, tempDir } from './cli-process.js';
import {
  bothReady,
  DEMO,
  INOTIFYWAIT,
  INOTIFYWATCH,
  Run,
  SLOW,
  startBoth,
  WAIT,
  WATCH,
} from './differential.js';

let dir: { readonly path: string; readonly remove: () => void };
let runs: Run[] = [];

let daemons: number[] = [];

function ours(script: string, args: readonly string[], env?: NodeJS.ProcessEnv): Run {
  const run = new Run('ours', process.execPath, [script, ...args], {
    cwd: dir.path,
    ...(env === undefined ? {} : { env }),
  });
  runs.push(run);
  return run;
}

beforeAll(requireBuild);
beforeEach(() => {
  dir = tempDir();
  mkdirSync(join(dir.path, 'w'));
});
afterEach(async () => {
  for (const run of runs) await run.stop('SIGKILL');
  for (const pid of daemons) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  runs = [];
  daemons = [];
  dir.remove();
});

describe('globs (not in inotifywait)', SLOW, () => {
  it('--exclude-glob keeps matching directories out of a tree and their events out of the output', async () => {
    for (const sub of ['src', 'node_modules/pkg', '.git'])
      mkdirSync(join(dir.path, 'w', sub), { recursive: true });
    const cli = ours(WAIT, [
      '-m',
      '-r',
      '-e',
      'create',
      '--format',
      '%w%f',
      '--exclude-glob',
      '**/node_modules',
      '--exclude-glob',
      '**/.git',
      'w',
    ]);
    await cli.stderrHas('Watches established.');
    await cli.watching(2);
    writeFileSync(join(dir.path, 'w', 'node_modules', 'pkg', 'a'), '');
    writeFileSync(join(dir.path, 'w', '.git', 'b'), '');
    writeFileSync(join(dir.path, 'w', 'src', 'c'), '');
    await cli.stdoutHas('w/src/c\n');
    expect(cli.stdout).toBe('w/src/c\n');
  });

  it('--include-glob prints only events whose full path matches', async () => {
    const cli = ours(WAIT, ['-m', '-e', 'create', '--format', '%f', '--include-glob', '**/*.ts', 'w']);
    await cli.stderrHas('Watches established.');
    for (const name of ['a.js', 'b.ts', 'c.md', 'd.ts']) writeFileSync(join(dir.path, 'w', name), '');
    await cli.stdoutHas('d.ts\n');
    expect(cli.stdout).toBe('b.ts\nd.ts\n');
  });
});

describe('-o, -d, -s', SLOW, () => {
  it('-o appends events to a file it creates with mode 0600, and prints none', async () => {
    const out = join(dir.path, 'events.log');
    writeFileSync(out, 'before\n');
    chmodSync(out, 0o644);
    const cli = ours(WAIT, ['-e', 'create', '-o', 'events.log', 'w']);
    await cli.stderrHas('Watches established.');
    writeFileSync(join(dir.path, 'w', 'a'), '');
    expect(await cli.end()).toEqual({ code: 0, signal: null });
    expect(readFileSync(out, 'utf8')).toBe('before\nw/ CREATE a\n');
    expect(cli.stdout).toBe('');
    const fresh = ours(WAIT, ['-e', 'create', '-o', 'new.log', 'w']);
    await fresh.stderrHas('Watches established.');
    writeFileSync(join(dir.path, 'w', 'b'), '');
    await fresh.end();
    expect(statSync(join(dir.path, 'new.log')).mode & 0o777).toBe(0o600);
  });

  it('-d returns once the daemon watches, and the daemon, in its own session, appends events to the file', async () => {
    const cli = ours(WAIT, ['-d', '-o', 'daemon.log', '-e', 'create', 'w']);
    expect(await cli.end()).toEqual({ code: 0, signal: null });
    expect(cli.stderr).toBe('Setting up watches.\nWatches established.\n');
    const daemon = findProcess(join(dir.path));
    daemons.push(daemon);
    const stat = readFileSync(`/proc/${daemon}/stat`, 'latin1').slice(
      readFileSync(`/proc/${daemon}/stat`, 'latin1').lastIndexOf(')') + 2,
    );
    const [, , , session] = stat.split(' ');
    expect(Number(session)).toBe(daemon);
    writeFileSync(join(dir.path, 'w', 'a'), '');
    writeFileSync(join(dir.path, 'w', 'b'), '');
    const log = join(dir.path, 'daemon.log');
    const deadline = Date.now() + 20_000;
    while (readFileSync(log, 'utf8') !== 'w/ CREATE a\nw/ CREATE b\n' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(readFileSync(log, 'utf8')).toBe('w/ CREATE a\nw/ CREATE b\n');
  });

  it('-d reports a path it cannot watch here, with exit code 1', async () => {
    const cli = ours(WAIT, ['-d', '-o', 'daemon.log', 'w/missing']);
    expect(await cli.end()).toEqual({ code: 1, signal: null });
    expect(cli.stderr).toContain('w/missing: no such file or directory');
  });

  it('-d without -o says what is missing', async () => {
    const cli = ours(WAIT, ['-d', 'w']);
    expect(await cli.end()).toEqual({ code: 1, signal: null });
    expect(cli.stderr).toBe(
      'inotify-demo-wait: -d/--daemon writes events to a file: give it with -o/--outfile.\n',
    );
  });

  it('-s hands messages to logger(1), tagged, facility daemon, and leaves stderr empty', async () => {
    // A logger(1) of our own on PATH records what it is given: the system log may not be there.
    const bin = join(dir.path, 'bin');
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'logger'),
      `#!/bin/sh\nprintf '%s|' "$@" >> '${join(dir.path, 'syslog')}'\necho >> '${join(dir.path, 'syslog')}'\n`,
    );
    chmodSync(join(bin, 'logger'), 0o755);
    const cli = ours(WAIT, ['-s', 'w/missing'], { PATH: `${bin}:${process.env['PATH']}` });
    expect(await cli.end()).toEqual({ code: 1, signal: null });
    expect(cli.stderr).toBe('');
    const pid = cli.child.pid;
    expect(readFileSync(join(dir.path, 'syslog'), 'utf8')).toBe(
      `-t|inotify-demo-wait|--id=${pid}|-p|daemon.info|--|Setting up watches.|\n` +
        `-t|inotify-demo-wait|--id=${pid}|-p|daemon.info|--|inotify-demo-wait: w/missing: no such file or directory. Check the path, or create it before watching it.|\n`,
    );
  });
});

/** The pid of the one process whose command line runs our wait command in `cwd`. */
function findProcess(cwd: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'latin1');
      const environ = readFileSync(`/proc/${entry}/environ`, 'latin1');
      if (cmdline.includes(WAIT) && environ.includes('INOTIFY_DEMO_DAEMON_CHILD=1')) {
        const link = spawnSync('readlink', [`/proc/${entry}/cwd`], { encoding: 'utf8' }).stdout.trim();
        if (link === cwd) return Number(entry);
      }
    } catch {
      // Gone meanwhile.
    }
  }
  throw new Error(`no daemon running in ${cwd}`);
}

describe.skipIf(INOTIFYWAIT === undefined || INOTIFYWATCH === undefined)(
  '-P and -v against inotify-tools',
  SLOW,
  () => {
    it('-P watches a symbolic link itself, where without it the target is watched, as inotifywait', async () => {
      writeFileSync(join(dir.path, 'w', 'target'), '');
      symlinkSync('target', join(dir.path, 'w', 'link'));
      for (const follow of [true, false]) {
        const args = [...(follow ? [] : ['-P']), '-e', 'attrib,modify', '--format', '%w|%e', 'w/link'];
        const pair = startBoth(INOTIFYWAIT ?? '', WAIT, args, { cwd: dir.path });
        runs.push(pair.theirs, pair.ours);
        await bothReady(pair);
        // touch -h: the link's own times; then a write to the target.
        spawnSync('touch', ['-h', join(dir.path, 'w', 'link')]);
        appendFileSync(join(dir.path, 'w', 'target'), 'x');
        const [theirsEnd, oursEnd] = await Promise.all([pair.theirs.end(), pair.ours.end()]);
        expect(oursEnd).toEqual(theirsEnd);
        expect(pair.ours.stdout).toBe(pair.theirs.stdout);
        expect(pair.ours.stdout).toBe(follow ? 'w/link|MODIFY\n' : 'w/link|ATTRIB\n');
      }
    });

    it('inotify-demo-watch -v -r says what inotifywatch -v -r says', async () => {
      const pair = startBoth(INOTIFYWATCH ?? '', WATCH, ['-v', '-r', '-t', '1', 'w'], { cwd: dir.path });
      runs.push(pair.theirs, pair.ours);
      const [theirsEnd, oursEnd] = await Promise.all([pair.theirs.end(), pair.ours.end()]);
      expect(oursEnd).toEqual(theirsEnd);
      expect(pair.ours.stderr).toBe(pair.theirs.stderr);
      expect(pair.ours.stderr).toContain('Will listen for events for 1 seconds.\n');
    });
  },
);

describe('inotify-demo keeps its own defaults', SLOW, () => {
  it('monitors by default and accepts -m, printing the log line; -c prints CSV', async () => {
    const cli = ours(DEMO, ['-m', '-c', '-e', 'create', 'w']);
    await cli.stderrHas('Watches established.');
    writeFileSync(join(dir.path, 'w', 'a'), '');
    writeFileSync(join(dir.path, 'w', 'b'), '');
    await cli.stdoutHas('w/,CREATE,b\n');
    expect(cli.stdout).toBe('w/,CREATE,a\nw/,CREATE,b\n');
  });
});
