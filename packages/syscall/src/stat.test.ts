import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, statfsSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../test/helpers.js';
import { InotifyError } from './errors.js';
import { lstatLinks } from './stat.js';

const tempDir = useTempDirs();

/** ext2/3/4, XFS, tmpfs: a directory's link count is 2 plus its subdirectories. */
const countsLinks = [0xef53, 0x58465342, 0x01021994].includes(statfsSync(tmpdir()).type);

function links(path: string): number[] | false {
  const out = new Uint32Array(3);
  return lstatLinks(path, out) && [...out];
}

describe('lstatLinks', () => {
  it('reads the link count lstat reports, for a directory, a file and a symbolic link not followed', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'a'));
    mkdirSync(join(dir, 'b'));
    writeFileSync(join(dir, 'file'), '');
    symlinkSync(dir, join(dir, 'link'));
    for (const path of [dir, join(dir, 'a'), join(dir, 'file'), join(dir, 'link')]) {
      expect((links(path) as number[])[0]).toBe(lstatSync(path).nlink);
    }
  });

  it.skipIf(!countsLinks)(
    'counts 2 plus the subdirectories of a directory (needs /tmp on ext4, XFS or tmpfs)',
    () => {
      const dir = tempDir();
      expect((links(dir) as number[])[0]).toBe(2);
      mkdirSync(join(dir, 'a'));
      mkdirSync(join(dir, 'b'));
      writeFileSync(join(dir, 'file'), '');
      expect((links(dir) as number[])[0]).toBe(4);
    },
  );

  it('gives one device for paths on one filesystem, and another for a tmpfs mounted below', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'sub'));
    const mnt = join(dir, 'mnt');
    mkdirSync(mnt);
    const [, ...device] = links(dir) as number[];
    expect((links(join(dir, 'sub')) as number[]).slice(1)).toEqual(device);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt], { stdio: 'pipe' });
    } catch {
      return; // Not root here: the first half stands on its own.
    }
    try {
      expect((links(mnt) as number[]).slice(1)).not.toEqual(device);
      expect((links(mnt) as number[])[0]).toBe(2);
    } finally {
      execFileSync('umount', [mnt]);
    }
  });

  it('returns false for a path that does not exist, or runs through a file', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), '');
    expect(links(join(dir, 'missing'))).toBe(false);
    expect(links(join(dir, 'file', 'below'))).toBe(false);
  });

  it('throws an InotifyError naming statx and the path for a symbolic link loop on the way', () => {
    const dir = tempDir();
    symlinkSync('loop', join(dir, 'loop'));
    const path = join(dir, 'loop', 'x');
    let error: unknown;
    try {
      links(path);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InotifyError);
    expect(error).toMatchObject({ code: 'ELOOP', syscall: 'statx', path });
  });

  it('rejects a path that is not a string without NUL, and an out array shorter than 3', () => {
    const out = new Uint32Array(3);
    expect(() => lstatLinks(Buffer.from('/tmp') as unknown as string, out)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
    expect(() => lstatLinks('/tmp\0x', out)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
    expect(() => lstatLinks('/tmp', new Uint32Array(2))).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
  });
});
