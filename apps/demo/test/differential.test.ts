/**
 * inotify-demo-wait and inotify-demo-watch against the real inotifywait and inotifywatch: both
 * watch the same directory at the same time, the test changes it, and what they print is
 * compared byte for byte, with their exit codes. Where inotifywait is wrong, the test asserts
 * our output and says why they differ. Skipped, saying so, where inotify-tools is not installed
 * (CI installs it: scripts/ci-apt-packages).
 */
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  unlinkSync,
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

const TOOLS = INOTIFYWAIT !== undefined && INOTIFYWATCH !== undefined;
const wait = INOTIFYWAIT ?? 'inotifywait';
const watchTool = INOTIFYWATCH ?? 'inotifywatch';

let dir: { readonly path: string; readonly remove: () => void };
let runs: Run[] = [];

/** Starts inotifywait and inotify-demo-wait with `args` in the test directory. */
function both(args: readonly string[], env?: NodeJS.ProcessEnv): { theirs: Run; ours: Run } {
  const started = startBoth(wait, WAIT, args, { cwd: dir.path, ...(env === undefined ? {} : { env }) });
  runs.push(started.theirs, started.ours);
  return started;
}

/**
 * Runs both with `-m` and `args`, does `act` once both watch, waits for `until` (the last
 * event's line) from both, stops both, and returns their stdout.
 */
async function monitor(
  args: readonly string[],
  act: () => void,
  until: string,
  env?: NodeJS.ProcessEnv,
): Promise<{ theirs: string; ours: string }> {
  const pair = both(['-m', ...args], env);
  await bothReady(pair);
  act();
  await Promise.all([pair.theirs.stdoutHas(until), pair.ours.stdoutHas(until)]);
  await Promise.all([pair.theirs.stop(), pair.ours.stop()]);
  return { theirs: pair.theirs.stdout, ours: pair.ours.stdout };
}

/** Creates a file with open(O_CREAT|O_WRONLY|O_TRUNC) and closes it. */
function touch(path: string): void {
  writeFileSync(path, '');
}

beforeAll(requireBuild);
beforeEach(() => {
  dir = tempDir();
  mkdirSync(join(dir.path, 'w'));
});
afterEach(async () => {
  for (const run of runs) await run.stop('SIGKILL');
  runs = [];
  dir.remove();
});

describe.skipIf(!TOOLS)('inotify-demo-wait against inotifywait, byte for byte', SLOW, () => {
  it('prints every --format directive as inotifywait does, for a directory watch and a file watch', async () => {
    const w = join(dir.path, 'w');
    touch(join(w, 'f'));
    const { theirs, ours } = await monitor(
      ['--format', '[%w][%f][%e][%,e][%:e][%;e][%c][%%][%x][%0][%n][%T]', '--timefmt', '%F', 'w', 'w/f'],
      () => {
        touch(join(w, 'a'));
        appendFileSync(join(w, 'a'), 'hi');
        renameSync(join(w, 'a'), join(w, 'b'));
        chmodSync(join(w, 'f'), 0o600);
        readFileSync(join(w, 'f'));
        mkdirSync(join(w, 'd'));
        rmdirSync(join(w, 'd'));
        unlinkSync(join(w, 'b'));
        mkdirSync(join(w, 'zz-end'));
      },
      '[w/][zz-end][CREATE,ISDIR]',
    );
    expect(ours).toBe(theirs);
    // Not an empty comparison: the move's cookie is there, in hexadecimal, on both lines.
    expect(ours).toMatch(/\[w\/\]\[a\]\[MOVED_FROM\]\[MOVED_FROM\]\[MOVED_FROM\]\[MOVED_FROM\]\[[0-9a-f]+\]/);
    expect(ours).toContain('[w/f][][ATTRIB]');
  });

  it("prints inotifywait's default line, '%w %,e %f', with its trailing space for a watched file", async () => {
    const w = join(dir.path, 'w');
    touch(join(w, 'f'));
    const { theirs, ours } = await monitor(
      ['w', join(w, 'f')],
      () => {
        appendFileSync(join(w, 'f'), 'x');
        renameSync(join(w, 'f'), join(w, 'g'));
        mkdirSync(join(w, 'zz-end'));
      },
      'w/ CREATE,ISDIR zz-end\n',
    );
    expect(ours).toBe(theirs);
    expect(ours).toContain(`${join(w, 'f')} MODIFY \n`);
  });

  it('names watches given as ./w/ and w/sub// as inotifywait does, and a tree given as . too', async () => {
    mkdirSync(join(dir.path, 'w', 'sub'));
    const flat = await monitor(
      ['-e', 'create', '--format', '%w|%f', './w/', 'w/sub//'],
      () => {
        touch(join(dir.path, 'w', 'sub', 'a'));
        mkdirSync(join(dir.path, 'w', 'zz-end'));
      },
      './w/|zz-end\n',
    );
    expect(flat.ours).toBe(flat.theirs);
    expect(flat.ours).toBe('w/sub//|a\n./w/|zz-end\n');
    const tree = await monitor(
      ['-r', '-e', 'create', '--format', '%w|%f', '.'],
      () => {
        touch(join(dir.path, 'w', 'sub', 'b'));
        mkdirSync(join(dir.path, 'zz-end'));
      },
      './|zz-end\n',
    );
    expect(tree.ours).toBe(tree.theirs);
    expect(tree.ours).toBe('./w/sub/|b\n./|zz-end\n');
  });

  it('quotes --csv fields exactly as inotifywait: commas, quotes, newlines, leading and trailing spaces', async () => {
    const odd = join(dir.path, 'w', 'x,"y');
    mkdirSync(odd);
    const { theirs, ours } = await monitor(
      ['-c', '-e', 'create', 'w', 'w/x,"y'],
      () => {
        for (const name of ['plain', 'c d', 'e,f', 'g"h', ' lead', 'trail ', 'new\nline'])
          touch(join(odd, name));
        mkdirSync(join(dir.path, 'w', 'zz-end'));
      },
      'w/,"CREATE,ISDIR",zz-end\n',
    );
    expect(ours).toBe(theirs);
    expect(ours).toContain('"w/x,""y/",CREATE,"g""h"\n');
  });

  it('formats --timefmt as strftime(3), in the time zone of the process', async () => {
    // Every conversion that cannot change between the two processes' reads of the clock.
    const timefmt = '%a %A %b %B %C %d %D %e %F %g %G %h %j %m %u %U %V %w %W %x %y %Y %z %% %t %n';
    for (const TZ of ['Asia/Kathmandu', 'America/New_York', 'UTC']) {
      const { theirs, ours } = await monitor(
        ['--timefmt', timefmt, '--format', '%T|%f', 'w'],
        () => mkdirSync(join(dir.path, 'w', `zz-${TZ.replace('/', '-')}`)),
        `|zz-${TZ.replace('/', '-')}`,
        { TZ },
      );
      expect(ours).toBe(theirs);
      rmdirSync(join(dir.path, 'w', `zz-${TZ.replace('/', '-')}`));
    }
  });

  it('refuses %T without --timefmt with exit code 1, as inotifywait does', async () => {
    const pair = both(['--format', '%T %f', 'w']);
    const [theirsEnd, oursEnd] = await Promise.all([pair.theirs.end(), pair.ours.end()]);
    expect(oursEnd).toEqual(theirsEnd);
    expect(oursEnd).toEqual({ code: 1, signal: null });
    expect(pair.ours.stderr).toBe(
      "inotify-demo-wait: %T is in --format, but --timefmt was not given: add one, e.g. --timefmt '%F %T'.\n",
    );
  });

  it('prints no newline with --no-newline', async () => {
    const { theirs, ours } = await monitor(
      ['--no-newline', '--format', '%f;', '-e', 'create', 'w'],
      () => {
        touch(join(dir.path, 'w', 'a'));
        mkdirSync(join(dir.path, 'w', 'zz-end'));
      },
      'zz-end;',
    );
    expect(ours).toBe(theirs);
    expect(ours).toBe('a;zz-end;');
  });

  it('prints no IGNORED, DELETE_SELF or other event not asked for with -e create,delete', async () => {
    mkdirSync(join(dir.path, 'w', 'sub'));
    const { theirs, ours } = await monitor(
      ['-e', 'create,delete', 'w', 'w/sub'],
      () => {
        touch(join(dir.path, 'w', 'sub', 'f'));
        rmSync(join(dir.path, 'w', 'sub'), { recursive: true });
        mkdirSync(join(dir.path, 'w', 'zz-end'));
      },
      'w/ CREATE,ISDIR zz-end\n',
    );
    expect(ours).toBe(theirs);
    expect(ours).toBe('w/sub/ CREATE f\nw/sub/ DELETE f\nw/ DELETE,ISDIR sub\nw/ CREATE,ISDIR zz-end\n');
  });

  it('filters with --exclude, --excludei, --include and --includei as inotifywait does', async () => {
    const names = ['a.txt', 'B.TXT', 'c.log', 'sub.txt.swp'];
    for (const [option, pattern] of [
      ['--exclude', '\\.txt$'],
      ['--excludei', '\\.txt$'],
      ['--include', '(\\.txt|end)$'],
      ['--includei', '(\\.txt|end)$'],
    ] as const) {
      const end = `zz${option.replace(/-/g, '')}-end`;
      const { theirs, ours } = await monitor(
        [option, pattern, '-e', 'create', 'w'],
        () => {
          for (const name of names) touch(join(dir.path, 'w', `${option}${name}`));
          mkdirSync(join(dir.path, 'w', end));
        },
        `${end}\n`,
      );
      expect(ours, `${option} ${pattern}`).toBe(theirs);
    }
  });

  it('watches a tree with -r and names each directory as given, with a slash', async () => {
    for (const sub of ['a/b/c', 'd']) mkdirSync(join(dir.path, 'w', sub), { recursive: true });
    // Not open, access or close_nowrite: each program's own walk of the tree opens its directories.
    const { theirs, ours } = await monitor(
      ['-r', '-e', 'create,modify,close_write,moved_from,moved_to,delete', '--format', '%w|%f|%e', 'w'],
      () => {
        touch(join(dir.path, 'w', 'a', 'b', 'c', 'f'));
        renameSync(join(dir.path, 'w', 'a', 'b', 'c', 'f'), join(dir.path, 'w', 'd', 'f'));
        touch(join(dir.path, 'w', 'a', 'g'));
        mkdirSync(join(dir.path, 'w', 'd', 'zz-end'));
      },
      'w/d/|zz-end|CREATE,ISDIR',
    );
    expect(ours).toBe(theirs);
    expect(ours).toContain('w/a/b/c/|f|CREATE\n');
  });

  it('leaves @path directories and --fromfile exclusions out of a tree', async () => {
    for (const sub of ['keep', 'skip']) mkdirSync(join(dir.path, 'w', sub));
    writeFileSync(join(dir.path, 'list'), 'w\n@w/skip\n');
    for (const [i, args] of [
      ['-r', 'w', '@w/skip'],
      ['-r', '--fromfile', 'list'],
    ].entries()) {
      const { theirs, ours } = await monitor(
        [...args, '-e', 'create'],
        () => {
          touch(join(dir.path, 'w', 'skip', `f${i}`));
          touch(join(dir.path, 'w', 'keep', `f${i}`));
          mkdirSync(join(dir.path, 'w', `zz-end${i}`));
        },
        `zz-end${i}\n`,
      );
      expect(ours, args.join(' ')).toBe(theirs);
      expect(ours).not.toContain('skip');
    }
  });

  it('reads --fromfile - from stdin, as inotifywait', async () => {
    mkdirSync(join(dir.path, 'w', 'sub'));
    writeFileSync(join(dir.path, 'list'), 'w/sub\n\n@w\n');
    const args = ['-m', '-e', 'create', '--format', '%w%f', '--fromfile', '-'];
    // One open file each: a shared one would share its offset, and the first reader take it all.
    const stdins = [openSync(join(dir.path, 'list'), 'r'), openSync(join(dir.path, 'list'), 'r')] as const;
    const theirs = new Run('inotifywait', wait, args, { cwd: dir.path, stdin: stdins[0] });
    const ours = new Run('ours', process.execPath, [WAIT, ...args], { cwd: dir.path, stdin: stdins[1] });
    for (const fd of stdins) closeSync(fd);
    runs.push(theirs, ours);
    await bothReady({ theirs, ours });
    touch(join(dir.path, 'w', 'ignored'));
    touch(join(dir.path, 'w', 'sub', 'seen'));
    await Promise.all([theirs.stdoutHas('w/sub/seen\n'), ours.stdoutHas('w/sub/seen\n')]);
    await Promise.all([theirs.stop(), ours.stop()]);
    expect(ours.stdout).toBe(theirs.stdout);
    expect(ours.stdout).toBe('w/sub/seen\n');
  });

  it('watches a directory whose name is not UTF-8 by its exact bytes, and prints them', async () => {
    // Node cannot pass such an argument itself: a shell builds it with printf.
    const name = Buffer.concat([Buffer.from(join(dir.path, 'w', 'bad')), Buffer.from([0xff])]);
    mkdirSync(name);
    const script = (command: string) =>
      `exec ${command} -m --format '%w%f' -e create "$(printf '%s/w/bad\\377' "$DIR")"`;
    const theirs = new Run('inotifywait', 'sh', ['-c', script(wait)], {
      cwd: dir.path,
      env: { DIR: dir.path },
    });
    const ours = new Run('ours', 'sh', ['-c', script(`'${process.execPath}' '${WAIT}'`)], {
      cwd: dir.path,
      env: { DIR: dir.path },
    });
    runs.push(theirs, ours);
    await bothReady({ theirs, ours });
    writeFileSync(Buffer.concat([name, Buffer.from('/f\xfe', 'latin1')]), '');
    writeFileSync(Buffer.concat([name, Buffer.from('/g')]), '');
    const line = `${name.toString('latin1')}/g\n`;
    await Promise.all([theirs.stdoutHas(line), ours.stdoutHas(line)]);
    await Promise.all([theirs.stop(), ours.stop()]);
    expect(ours.stdout).toBe(theirs.stdout);
    expect(ours.stderr).not.toContain('no such file');
  });

  it('exits 0 after the first event asked for, without -m, printing only it', async () => {
    const pair = both(['-e', 'create', 'w']);
    await bothReady(pair);
    touch(join(dir.path, 'w', 'a'));
    touch(join(dir.path, 'w', 'b'));
    const [theirsEnd, oursEnd] = await Promise.all([pair.theirs.end(), pair.ours.end()]);
    expect(oursEnd).toEqual(theirsEnd);
    expect(oursEnd).toEqual({ code: 0, signal: null });
    expect(pair.ours.stdout).toBe(pair.theirs.stdout);
    expect(pair.ours.stdout).toBe('w/ CREATE a\n');
  });

  it('exits 1, printing nothing, when the first event is one not asked for (the watch was deleted)', async () => {
    mkdirSync(join(dir.path, 'w', 'gone'));
    const pair = both(['-e', 'create', 'w/gone']);
    await bothReady(pair);
    rmdirSync(join(dir.path, 'w', 'gone'));
    const [theirsEnd, oursEnd] = await Promise.all([pair.theirs.end(), pair.ours.end()]);
    expect(oursEnd).toEqual(theirsEnd);
    expect(oursEnd).toEqual({ code: 1, signal: null });
    expect(pair.ours.stdout).toBe('');
    expect(pair.theirs.stdout).toBe('');
  });

  it('exits 2, printing nothing, when -t passes without an event', async () => {
    const pair = both(['-t', '1', 'w']);
    const [theirsEnd, oursEnd] = await Promise.all([pair.theirs.end(), pair.ours.end()]);
    expect(oursEnd).toEqual(theirsEnd);
    expect(oursEnd).toEqual({ code: 2, signal: null });
    expect(pair.ours.stdout).toBe(pair.theirs.stdout);
    expect(pair.ours.stdout).toBe('');
  });

  it('exits 1 for a path that does not exist, printing nothing on stdout', async () => {
    const pair = both(['w/missing']);
    const [theirsEnd, oursEnd] = await Promise.all([pair.theirs.end(), pair.ours.end()]);
    expect(oursEnd).toEqual(theirsEnd);
    expect(oursEnd).toEqual({ code: 1, signal: null });
    expect(pair.ours.stdout).toBe('');
    expect(pair.ours.stderr).toBe(
      'Setting up watches.\ninotify-demo-wait: w/missing: no such file or directory. Check the path, or create it before watching it.\n',
    );
  });

  it('prints nothing on stderr with -q, and no events either with -qq, as inotifywait', async () => {
    for (const quiet of ['-q', '-qq']) {
      const pair = both([quiet, '-e', 'create', 'w']);
      await Promise.all([pair.theirs.watching(1), pair.ours.watching(1)]);
      touch(join(dir.path, 'w', `a${quiet}`));
      const [theirsEnd, oursEnd] = await Promise.all([pair.theirs.end(), pair.ours.end()]);
      expect(oursEnd).toEqual(theirsEnd);
      expect(oursEnd).toEqual({ code: 0, signal: null });
      expect(pair.ours.stdout).toBe(pair.theirs.stdout);
      expect(pair.ours.stdout).toBe(quiet === '-q' ? `w/ CREATE a${quiet}\n` : '');
      expect(pair.ours.stderr).toBe('');
      expect(pair.theirs.stderr).toBe('');
    }
  });
});

describe.skipIf(!TOOLS)('where inotifywait is wrong, inotify-demo-wait is right', SLOW, () => {
  it('forgets a directory moved out of the tree, where inotifywait goes on reporting it under its old, stale path', async () => {
    mkdirSync(join(dir.path, 'w', 'a', 'b'), { recursive: true });
    const { theirs, ours } = await monitor(
      ['-r', '-e', 'create', '--format', '%w%f', 'w'],
      () => {
        renameSync(join(dir.path, 'w', 'a'), join(dir.path, 'out'));
        touch(join(dir.path, 'w', 'x'));
        touch(join(dir.path, 'out', 'b', 'f'));
        mkdirSync(join(dir.path, 'w', 'zz-end'));
      },
      'w/zz-end\n',
    );
    // inotifywait drops the watch of out/ (the moved directory) but keeps out/b/'s, still named
    // w/a/b/: a file created outside the tree is reported at a path where nothing exists.
    expect(theirs).toBe('w/x\nw/a/b/f\nw/zz-end\n');
    expect(ours).toBe('w/x\nw/zz-end\n');
  });

  it('prints the overflow that inotifywait drops silently', async () => {
    const limit = Number(readFileSync('/proc/sys/fs/inotify/max_queued_events', 'latin1'));
    const file = join(dir.path, 'w', 'f');
    touch(file);
    // Open and close alternate: the kernel merges an event identical to the one queued before it.
    const pair = both(['-m', '-e', 'open,close_nowrite', '--format', '%w|%f|%e', 'w']);
    await bothReady(pair);
    // Stopped, neither reads: the kernel's queue fills past its limit meanwhile.
    for (const run of [pair.theirs, pair.ours]) run.child.kill('SIGSTOP');
    await Promise.all([pair.theirs.stopped(), pair.ours.stopped()]);
    for (let i = 0; i < limit / 2 + 10; i++) closeSync(openSync(file, 'r'));
    for (const run of [pair.theirs, pair.ours]) run.child.kill('SIGCONT');
    // Both read the full queue before anything else happens, or the next events would be lost too.
    const queued = (limit / 2) * 'w/|f|OPEN\nw/|f|CLOSE_NOWRITE,CLOSE\n'.length;
    await Promise.all([
      pair.theirs.waitFor(() => pair.theirs.stdout.length >= queued, 'the queued events'),
      pair.ours.stdoutHas('||Q_OVERFLOW\n'),
    ]);
    // After the overflow, both go on: the open of w/last is what both print last.
    touch(join(dir.path, 'w', 'last'));
    readFileSync(join(dir.path, 'w', 'last'));
    const last = 'w/|last|CLOSE_NOWRITE,CLOSE\n';
    await Promise.all([pair.theirs.stdoutHas(last), pair.ours.stdoutHas(last)]);
    await Promise.all([pair.theirs.stop(), pair.ours.stop()]);
    expect(pair.theirs.stdout).not.toContain('Q_OVERFLOW');
    const lines = pair.ours.stdout.split('\n');
    // The kernel queued max_queued_events events, then the overflow: we print it, with no watch.
    expect(lines[limit]).toBe('||Q_OVERFLOW');
    expect(lines.slice(0, 2)).toEqual(['w/|f|OPEN', 'w/|f|CLOSE_NOWRITE,CLOSE']);
    expect(new Set(lines.slice(0, limit))).toEqual(new Set(['w/|f|OPEN', 'w/|f|CLOSE_NOWRITE,CLOSE']));
    expect(lines.slice(limit + 1, limit + 2)).toEqual(['w/|last|OPEN']);
    // inotifywait prints the events before the overflow too, but not the overflow itself.
    expect(pair.theirs.stdout.split('\n').slice(0, limit)).toEqual(lines.slice(0, limit));
    expect(pair.ours.stderr).toContain("inotify-demo-wait: warning: the kernel's event queue overflowed");
  });
});

describe.skipIf(!TOOLS)('inotify-demo-watch against inotifywatch, byte for byte', SLOW, () => {
  /** Runs both, does `act`, interrupts both with SIGINT (the table is printed then), and compares. */
  async function table(args: readonly string[], act: () => void): Promise<string> {
    const pair = startBoth(watchTool, WATCH, args, { cwd: dir.path });
    runs.push(pair.theirs, pair.ours);
    await bothReady(pair, 'Finished establishing watches, now collecting statistics.');
    const before = [pair.theirs.readBytes(), pair.ours.readBytes()] as const;
    act();
    // Nothing announces that an event was counted, and inotifywatch leaves what is still queued
    // at SIGINT uncounted: wait until both have read the events and gone quiet.
    await Promise.all([pair.theirs.settled(before[0]), pair.ours.settled(before[1])]);
    const [theirsEnd, oursEnd] = await Promise.all([pair.theirs.stop('SIGINT'), pair.ours.stop('SIGINT')]);
    expect(oursEnd).toEqual(theirsEnd);
    expect(oursEnd).toEqual({ code: 0, signal: null });
    expect(pair.ours.stdout).toBe(pair.theirs.stdout);
    return pair.ours.stdout;
  }

  it('prints the same table for the same operations, with -z, -a, -d and -e', async () => {
    mkdirSync(join(dir.path, 'w', 'sub'));
    mkdirSync(join(dir.path, 'w', 'idle'));
    const act = () => {
      for (let i = 0; i < 3; i++) touch(join(dir.path, 'w', `f${i}`));
      appendFileSync(join(dir.path, 'w', 'f0'), 'x');
      readFileSync(join(dir.path, 'w', 'f1'));
      renameSync(join(dir.path, 'w', 'f2'), join(dir.path, 'w', 'sub', 'f2'));
      unlinkSync(join(dir.path, 'w', 'sub', 'f2'));
    };
    const plain = await table(['w', 'w/sub', 'w/idle'], act);
    expect(plain.split('\n')[0]).toBe(
      'total  modify  close_write  close_nowrite  open  moved_from  moved_to  create  delete  filename',
    );
    await table(['-z', 'w', 'w/sub', 'w/idle'], act);
    await table(['-a', 'total', 'w', 'w/sub', 'w/idle'], act);
    await table(['-d', 'delete', 'w', 'w/sub', 'w/idle'], act);
    await table(['-e', 'create,delete', '-z', 'w', 'w/sub', 'w/idle'], act);
  });

  it('ends after -t seconds with the table and exit code 0, and says "No events occurred." on stderr when none did', async () => {
    const pair = startBoth(watchTool, WATCH, ['-t', '1', 'w'], { cwd: dir.path });
    runs.push(pair.theirs, pair.ours);
    const [theirsEnd, oursEnd] = await Promise.all([pair.theirs.end(), pair.ours.end()]);
    expect(oursEnd).toEqual(theirsEnd);
    expect(oursEnd).toEqual({ code: 0, signal: null });
    expect(pair.ours.stdout).toBe('');
    expect(pair.ours.stderr).toBe(pair.theirs.stderr);
    expect(pair.ours.stderr).toBe(
      'Establishing watches...\nFinished establishing watches, now collecting statistics.\nNo events occurred.\n',
    );
  });

  it('exits 1 for a path that does not exist', async () => {
    const pair = startBoth(watchTool, WATCH, ['w/missing'], { cwd: dir.path });
    runs.push(pair.theirs, pair.ours);
    const [theirsEnd, oursEnd] = await Promise.all([pair.theirs.end(), pair.ours.end()]);
    expect(oursEnd).toEqual(theirsEnd);
    expect(oursEnd).toEqual({ code: 1, signal: null });
  });
});

describe('output errors and signals', SLOW, () => {
  it('reports a failed write (stdout on /dev/full) on stderr and exits 1', async () => {
    const full = openSync('/dev/full', 'w');
    try {
      const ours = new Run('ours', process.execPath, [WAIT, '-e', 'create', 'w'], {
        cwd: dir.path,
        stdout: full,
      });
      runs.push(ours);
      await ours.stderrHas('Watches established.');
      touch(join(dir.path, 'w', 'a'));
      expect(await ours.end()).toEqual({ code: 1, signal: null });
      expect(ours.stderr).toBe(
        'Setting up watches.\nWatches established.\n' +
          'inotify-demo-wait: cannot write to standard output: no space left on device, write (ENOSPC); ' +
          'events were lost. Free space, or write elsewhere.\n',
      );
    } finally {
      closeSync(full);
    }
  });

  it('reports a failed write to --outfile in the same way', async () => {
    const ours = new Run('ours', process.execPath, [DEMO, '-o', '/dev/full', '-e', 'create', 'w'], {
      cwd: dir.path,
    });
    runs.push(ours);
    await ours.stderrHas('Watches established.');
    touch(join(dir.path, 'w', 'a'));
    expect(await ours.end()).toEqual({ code: 1, signal: null });
    expect(ours.stderr).toContain('inotify-demo: cannot write to /dev/full: no space left on device');
  });

  it('stops quietly with code 0 when the reader of a -m pipe goes away', async () => {
    const ours = new Run('ours', process.execPath, [WAIT, '-m', '-e', 'create', 'w'], { cwd: dir.path });
    runs.push(ours);
    await ours.stderrHas('Watches established.');
    touch(join(dir.path, 'w', 'a'));
    await ours.stdoutHas('w/ CREATE a\n');
    ours.child.stdout?.destroy();
    touch(join(dir.path, 'w', 'b'));
    expect(await ours.end()).toEqual({ code: 0, signal: null });
    expect(ours.stderr).toBe('Setting up watches.\nWatches established.\n');
  });

  it('exits 0 on SIGINT and on SIGTERM with -m, where inotifywait dies by the signal', async () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const ours = new Run('ours', process.execPath, [WAIT, '-m', 'w'], { cwd: dir.path });
      runs.push(ours);
      await ours.stderrHas('Watches established.');
      expect(await ours.stop(signal)).toEqual({ code: 0, signal: null });
    }
  });

  it('refuses -r on a directory whose path is not UTF-8, naming it', async () => {
    mkdirSync(Buffer.from([...Buffer.from(join(dir.path, 'w', 'bad')), 0xff]));
    const ours = new Run(
      'ours',
      'sh',
      ['-c', `exec '${process.execPath}' '${WAIT}' -r "$(printf 'w/bad\\377')"`],
      {
        cwd: dir.path,
      },
    );
    runs.push(ours);
    expect(await ours.end()).toEqual({ code: 1, signal: null });
    expect(ours.stderr).toBe(
      'Setting up watches.  Beware: since -r was given, this may take a while!\n' +
        'inotify-demo-wait: w/bad\uFFFD: -r cannot watch a tree whose root path is not valid UTF-8: recursive trees ' +
        'take text paths. Rename the directory, or watch it without -r (EINVAL).\n',
    );
  });

  it('names the problem with an empty path argument', async () => {
    const ours = new Run('ours', process.execPath, [WAIT, 'w', ''], { cwd: dir.path });
    runs.push(ours);
    expect(await ours.end()).toEqual({ code: 1, signal: null });
    expect(ours.stderr).toBe(
      "inotify-demo-wait: an empty path argument ('') was given: name a file or directory to watch.\n",
    );
  });

  it('with -r, watches a regular file by itself and a symbolic link to a directory as the tree of its target, saying so', async () => {
    mkdirSync(join(dir.path, 'w', 'real'));
    touch(join(dir.path, 'w', 'file'));
    spawnSync('ln', ['-s', 'real', join(dir.path, 'w', 'link')]);
    const ours = new Run(
      'ours',
      process.execPath,
      [WAIT, '-m', '-r', '--format', '%w|%f|%e', 'w/file', 'w/link'],
      {
        cwd: dir.path,
      },
    );
    runs.push(ours);
    await ours.stderrHas('Watches established.');
    const setUp =
      'Setting up watches.  Beware: since -r was given, this may take a while!\n' +
      'inotify-demo-wait: w/file is not a directory: -r watches it by itself.\n' +
      `inotify-demo-wait: w/link is a symbolic link to ${join(dir.path, 'w', 'real')}: -r watches the tree at ${join(dir.path, 'w', 'real')}.\n` +
      'Watches established.\n';
    expect(ours.stderr).toBe(setUp);
    appendFileSync(join(dir.path, 'w', 'file'), 'x');
    mkdirSync(join(dir.path, 'w', 'real', 'zz-end'));
    // Two inotify instances (the tree, and the file's own watch): each keeps its order, not one between them.
    await ours.stdoutHas('zz-end|CREATE,ISDIR');
    await ours.stdoutHas('w/file||MODIFY\n');
    expect(ours.stdout).toContain('w/file||MODIFY\n');
    expect(ours.stdout).toContain('w/link/|zz-end|CREATE,ISDIR\n');
    // Both instances stop on the signal, and the program with them, cleanly.
    // With what it said: an exit code alone would not tell why it failed.
    const ended = await ours.stop('SIGINT');
    expect({ ...ended, stderr: ours.stderr }).toEqual({ code: 0, signal: null, stderr: setUp });
  });
});
