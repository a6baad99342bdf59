import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { close, mountTableChanged, openMountTable } from './index.js';

/** Mounts a tmpfs on `dir`, or returns why the machine refuses. */
function mountTmpfs(dir: string): string | null {
  try {
    execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', dir], { stdio: 'pipe' });
    return null;
  } catch (error) {
    return `mounting a tmpfs is refused here: ${String((error as { stderr?: unknown }).stderr ?? error).trim()}`;
  }
}

describe('mountTableChanged', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => {
    for (const f of cleanup.splice(0).reverse()) f();
  });

  it('reports a mount and an unmount once each, and nothing while the table is unchanged', (ctx) => {
    const dir = mkdtempSync(join(tmpdir(), 'mounts-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const fd = openMountTable();
    cleanup.push(() => close(fd));
    expect(mountTableChanged(fd)).toBe(false);
    const refused = mountTmpfs(dir);
    if (refused !== null) return ctx.skip(refused);
    let mounted = true;
    cleanup.push(() => {
      if (mounted) execFileSync('umount', [dir]);
    });
    expect(mountTableChanged(fd)).toBe(true);
    expect(mountTableChanged(fd)).toBe(false);
    execFileSync('umount', [dir]);
    mounted = false;
    expect(mountTableChanged(fd)).toBe(true);
    expect(mountTableChanged(fd)).toBe(false);
  });

  it('throws EBADF with syscall poll for a closed fd', () => {
    const fd = openMountTable();
    close(fd);
    expect(() => mountTableChanged(fd)).toThrow(expect.objectContaining({ code: 'EBADF', syscall: 'poll' }));
  });
});
