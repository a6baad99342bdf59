import { describe, expect, it } from 'vitest';
import { describeError, describeWarning, UsageError } from './errors.js';

function systemError(code: string, message: string, path?: string): Error {
  return Object.assign(new Error(message), { code, path, syscall: 'inotify_add_watch' });
}

describe('describeError', () => {
  it('gives the path, the cause and the fix in one line for a known code', () => {
    expect(describeError(systemError('EACCES', 'EACCES: whatever the library said', '/srv/x'))).toBe(
      'inotify-demo: /srv/x: permission denied. Run as a user who may read it, or watch a path you own.',
    );
  });

  it("falls back to the error's first line and its code for an unknown code", () => {
    expect(describeError(systemError('EIO', 'EIO: input/output error.\nmore detail', '/mnt/bad'))).toBe(
      'inotify-demo: /mnt/bad: EIO: input/output error (EIO).',
    );
  });

  it('leaves the path out when the error has none', () => {
    expect(describeError(new UsageError('--recursive: not available. Watch without -r'))).toBe(
      'inotify-demo: --recursive: not available. Watch without -r.',
    );
  });

  it('prints anything else thrown as one line', () => {
    expect(describeError('a string\nwith two lines')).toBe('inotify-demo: a string.');
  });
});

describe('describeWarning', () => {
  it("keeps the library's words without the leading code", () => {
    expect(
      describeWarning(systemError('EACCES', "EACCES: cannot list '/a': permission denied; not watched")),
    ).toBe("cannot list '/a': permission denied; not watched.");
  });
});
