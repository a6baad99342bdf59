/**
 * Mount points inside a tree. inotify watches inodes, and a mount puts other inodes at a path:
 * a filesystem mounted over a watched directory hides it (its watch reports nothing more of what
 * happens at that path), and an unmount uncovers directories the tree never saw. The kernel says
 * `IN_UNMOUNT` for the second, nothing for the first. So the tree also watches the mount table
 * (`mountTableChanged()` of `@inotify-ts/syscall`: `POLLPRI` on /proc/self/mountinfo) and, when
 * it changed, compares the mount points below its roots with the last ones it saw: each that
 * appeared or went away makes the tree check that place on disk again.
 */
import { readFileSync } from 'node:fs';
import * as sys from '@inotify-ts/syscall';
import { isWithin } from './paths.js';

/**
 * Mounts at or below any of `roots` (bytes): mount id (mountinfo's first field, new for every
 * mount) and mount point (its fifth), as `"<id> <path>"`, so that a filesystem unmounted and
 * another mounted at the same place between two looks still counts as a change.
 */
export function mountPointsWithin(roots: readonly string[]): Set<string> {
  const points = new Set<string>();
  let text: string;
  try {
    text = readFileSync(sys.MOUNT_TABLE_PATH, 'latin1');
  } catch {
    return points;
  }
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const point = fields[4];
    if (point === undefined) continue;
    // Spaces, tabs, newlines and backslashes are written as octal escapes (\040 and so on).
    const path = point.replace(/\\([0-7]{3})/g, (_, octal: string) =>
      String.fromCharCode(Number.parseInt(octal, 8)),
    );
    if (roots.some((root) => isWithin(path, root))) points.add(`${fields[0]} ${path}`);
  }
  return points;
}

/** The mount points that appeared or went away since the last call. */
export class MountWatch {
  readonly #fd: number;
  readonly #roots: readonly string[];
  #points: Set<string>;

  constructor(roots: readonly string[]) {
    this.#fd = sys.openMountTable();
    this.#roots = roots;
    this.#points = mountPointsWithin(roots);
  }

  /** Mount points below the roots that changed since the last call (empty: none). */
  changes(): string[] {
    if (!sys.mountTableChanged(this.#fd)) return [];
    const now = mountPointsWithin(this.#roots);
    const changed: string[] = [];
    for (const p of now) if (!this.#points.has(p)) changed.push(p.slice(p.indexOf(' ') + 1));
    for (const p of this.#points) if (!now.has(p)) changed.push(p.slice(p.indexOf(' ') + 1));
    this.#points = now;
    return changed;
  }

  close(): void {
    sys.close(this.#fd);
  }
}
