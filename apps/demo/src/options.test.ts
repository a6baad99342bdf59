import {
  IN_ALL_EVENTS,
  IN_CLOSE_NOWRITE,
  IN_CLOSE_WRITE,
  IN_CREATE,
  IN_DELETE,
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
      paths: ['/tmp'],
      recursive: false,
      mask: IN_ALL_EVENTS,
      exclude: undefined,
      timeoutS: 0,
      format: 'log',
      quiet: 0,
      stats: false,
    });
  });

  it('joins repeated and comma-separated -e values, inotifywait names and IN_* constants alike', () => {
    const { options } = parse(['-e', 'create', '--event', 'close,IN_DELETE', '-e', 'in_onlydir', 'a', 'b']);
    expect(options?.mask).toBe(IN_CREATE | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE | IN_DELETE | IN_ONLYDIR);
    expect(options?.paths).toEqual(['a', 'b']);
  });

  it('counts -q, so that -qq is quieter than -q', () => {
    expect(parse(['-q']).options?.quiet).toBe(1);
    expect(parse(['-qq']).options?.quiet).toBe(2);
  });

  it('reads -t as seconds, fractions allowed', () => {
    expect(parse(['-t', '0.5']).options?.timeoutS).toBe(0.5);
  });

  it('compiles --exclude into a regular expression', () => {
    expect(parse(['--exclude', '/node_modules$']).options?.exclude?.test('/a/node_modules')).toBe(true);
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
    expect(parse(['--format', 'xml']).err).toContain('Allowed choices are log, text, json.');
    expect(parse(['--exclude', '(']).err).toContain('not a valid regular expression');
    expect(parse(['--format', 'xml']).exitCode).toBe(1);
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
