import {
  IN_ALL_EVENTS,
  IN_CLOSE_NOWRITE,
  IN_CLOSE_WRITE,
  IN_CREATE,
  IN_DELETE,
  IN_MODIFY,
  IN_ONLYDIR,
} from '@inotify-ts/inotify';
import { describe, expect, it } from 'vitest';
import { type Options, packageVersion, parseOptions } from './options.js';

function parse(argv: string[]): { options?: Options; exitCode?: number; out: string; err: string } {
  let out = '';
  let err = '';
  const parsed = parseOptions(argv, { writeOut: (text) => (out += text), writeErr: (text) => (err += text) });
  return { ...parsed, out, err };
}

describe('parseOptions', () => {
  it('watches /tmp for every event in the log format when given nothing, as the original example', () => {
    expect(parse([]).options).toEqual({
      mode: 'demo',
      paths: [{ text: '/tmp', bytes: undefined }],
      excluded: [],
      recursive: false,
      mask: IN_ALL_EVENTS,
      eventsGiven: false,
      filter: undefined,
      timeoutS: 0,
      output: { kind: 'log' },
      timefmt: undefined,
      newline: true,
      quiet: 0,
      stats: false,
      monitor: true,
      daemon: false,
      syslog: false,
      outfile: undefined,
      noDereference: false,
      zero: false,
      sort: { event: 0, ascending: false },
      verbose: false,
      nats: undefined,
      stateFile: undefined,
      stateIntervalS: 60,
    });
  });

  it('reads --output, --subject, --stream, --state and --state-interval, with the defaults named in the help', () => {
    expect(parse(['--output', 'nats://127.0.0.1:4222', 'w']).options).toMatchObject({
      nats: { url: 'nats://127.0.0.1:4222', subject: 'inotify.records', stream: 'INOTIFY' },
      stateFile: undefined,
    });
    const args = [
      '--output',
      'nats://h:1',
      '--subject',
      's.t',
      '--stream',
      'S',
      '--state',
      'f',
      '--state-interval',
      '0.5',
      'w',
    ];
    expect(parse(args).options).toMatchObject({
      nats: { url: 'nats://h:1', subject: 's.t', stream: 'S' },
      stateFile: 'f',
      stateIntervalS: 0.5,
    });
  });

  it('refuses with --output or --state what ships no records of whole trees, naming the option', () => {
    expect(parse(['--output', 'nats://h:1', '--format', 'text', 'w'])).toMatchObject({
      exitCode: 1,
      err: 'inotify-demo: --output writes records of --format json: drop --format text.\n',
    });
    expect(parse(['--state', 'f', '-t', '1', 'w'])).toMatchObject({
      exitCode: 1,
      err: 'inotify-demo: --state ships every event of whole trees until a signal: -t/--timeout cannot be combined with it.\n',
    });
    expect(parse(['--state', 'f', '--exclude-glob', '**/.git', 'w']).exitCode).toBe(1);
    expect(parse(['--output', 'nats://h:1', 'w', '@w/skip'])).toMatchObject({
      exitCode: 1,
      err: 'inotify-demo: --output ships every event of whole trees: @path exclusions cannot be combined with it.\n',
    });
    expect(
      parse(['--output', 'nats://h:1', '--format', 'json', '-r', '-e', 'create', 'w']).exitCode,
    ).toBeUndefined();
  });

  it('joins repeated and comma-separated -e values, inotifywait names and IN_* constants alike', () => {
    const { options } = parse(['-e', 'create', '--event', 'close,IN_DELETE', '-e', 'in_onlydir', 'a', 'b']);
    expect(options?.mask).toBe(IN_CREATE | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE | IN_DELETE | IN_ONLYDIR);
    expect(options?.paths.map((path) => path.text)).toEqual(['a', 'b']);
  });

  it('counts -q, so that -qq is quieter than -q', () => {
    expect(parse(['-q']).options?.quiet).toBe(1);
    expect(parse(['-qq']).options?.quiet).toBe(2);
  });

  it('reads -t as seconds, fractions allowed', () => {
    expect(parse(['-t', '0.5']).options?.timeoutS).toBe(0.5);
  });

  it('compiles --exclude into a filter that skips matching directories and events', () => {
    const filter = parse(['--exclude', '/node_modules$']).options?.filter;
    expect(filter?.skipsDirectory('/a/node_modules')).toBe(true);
    expect(filter?.accepts('/a/node_modules', '/a/node_modules')).toBe(false);
    expect(filter?.accepts('/a/', '/a')).toBe(true);
  });

  it('reads an inotifywait --format where the word is not one of the named formats', () => {
    expect(parse(['--format', 'json']).options?.output).toEqual({ kind: 'json' });
    expect(parse(['--format', '%w%f']).options?.output).toEqual({ kind: 'printf', format: '%w%f' });
    expect(parse(['-c']).options?.output).toEqual({ kind: 'csv' });
  });

  it('splits @path arguments off as exclusions, and refuses an empty path naming the problem', () => {
    const options = parse(['a', '@a/skip', '@', 'b']).options;
    expect(options?.paths.map((path) => path.text)).toEqual(['a', 'b']);
    expect(options?.excluded).toEqual(['a/skip']);
    const empty = parse(['a', '']);
    expect(empty.exitCode).toBe(1);
    expect(empty.err).toBe(
      "inotify-demo: an empty path argument ('') was given: name a file or directory to watch.\n",
    );
  });

  it('refuses an include and an exclude expression together, as inotifywait does', () => {
    const result = parse(['--exclude', 'a', '--includei', 'b']);
    expect(result.exitCode).toBe(1);
    expect(result.err).toContain('cannot both be given');
  });

  it('rejects an unknown event in one line naming it and the known ones, exit code 1', () => {
    const result = parse(['-e', 'create,explode']);
    expect(result.exitCode).toBe(1);
    expect(result.err).toBe(
      "inotify-demo: option '-e, --event <name>' argument 'create,explode' is invalid. unknown event " +
        "'explode': use one of access, modify, attrib, close_write, close_nowrite, close, open, moved_to, " +
        'moved_from, move, move_self, create, delete, delete_self, unmount, or an IN_* constant.\n',
    );
  });

  it('rejects a negative timeout, an unknown format and a broken pattern with exit code 1', () => {
    expect(parse(['-t', '-1']).err).toContain(
      "argument '-1' is invalid. expected a number of seconds, 0 or more.",
    );
    expect(parse(['--format', '']).err).toBe(
      "inotify-demo: --format '' prints nothing: give a format, e.g. '%w%f %e'.\n",
    );
    expect(parse(['--exclude', '(']).err).toContain('not a valid regular expression');
    expect(parse(['--format', '']).exitCode).toBe(1);
  });

  it("prints the package's version for --version, exit code 0", () => {
    const result = parse(['--version']);
    expect(result.exitCode).toBe(0);
    expect(result.out).toBe(`${packageVersion()}\n`);
    expect(packageVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('prints help with every option and the exit codes for --help, exit code 0', () => {
    const result = parse(['--help']);
    expect(result.exitCode).toBe(0);
    for (const flag of [
      '--recursive',
      '--event',
      '--exclude',
      '--timeout',
      '--format',
      '--quiet',
      '--stats',
    ]) {
      expect(result.out).toContain(flag);
    }
    expect(result.out).toContain('2  -t/--timeout passed without an event');
  });
});

describe('parseOptions for inotify-demo-wait and inotify-demo-watch', () => {
  function parseAs(
    mode: 'wait' | 'watch',
    argv: string[],
  ): { options?: Options; exitCode?: number; err: string } {
    let err = '';
    const parsed = parseOptions(argv, { writeOut: () => {}, writeErr: (text) => (err += text) }, mode);
    return { ...parsed, err };
  }

  it("waits for one event with inotifywait's line unless -m, and -d monitors and logs to syslog", () => {
    expect(parseAs('wait', ['w']).options).toMatchObject({
      monitor: false,
      output: { kind: 'printf', format: '%w %,e %f' },
    });
    expect(parseAs('wait', ['-m', 'w']).options?.monitor).toBe(true);
    expect(parseAs('wait', ['-d', '-o', 'log', 'w']).options).toMatchObject({
      monitor: true,
      syslog: true,
      daemon: true,
    });
    expect(parseAs('wait', ['--format', 'json', 'w']).options?.output).toEqual({
      kind: 'printf',
      format: 'json',
    });
  });

  it('refuses to run without a path, as inotifywait and inotifywatch do', () => {
    for (const mode of ['wait', 'watch'] as const) {
      const result = parseAs(mode, []);
      expect(result.exitCode).toBe(1);
      expect(result.err).toBe(
        `inotify-demo-${mode}: no files specified to watch: name a file or directory, or give --fromfile.\n`,
      );
    }
  });

  it('reads -a and -d as the sort key, and refuses a key that is two events or not watched', () => {
    expect(parseAs('watch', ['-a', 'modify', 'w']).options?.sort).toEqual({
      event: IN_MODIFY,
      ascending: true,
    });
    expect(parseAs('watch', ['-d', 'total', 'w']).options?.sort).toEqual({ event: 0, ascending: false });
    expect(parseAs('watch', ['-a', 'close', 'w']).err).toContain(
      "cannot sort by 'close', which is two events: use 'close_write' or 'close_nowrite'.",
    );
    expect(parseAs('watch', ['-e', 'create', '-d', 'modify', 'w']).err).toBe(
      "inotify-demo-watch: cannot sort by an event that is not watched: add it with -e, or sort by 'total'.\n",
    );
  });
});
