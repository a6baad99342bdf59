/**
 * The walk that arms a directory and everything below it: the start-up walk, the scan of a
 * directory that appears, and the rescan after `IN_Q_OVERFLOW`.
 *
 * Each directory is watched first and listed second, so nothing created in it after the listing
 * can be missed: it is either in the listing or reported by the kernel.
 *
 * Listing a watched directory makes the kernel report IN_OPEN, IN_ACCESS and IN_CLOSE_NOWRITE
 * (with IN_ISDIR) on its watch and on its parent's: eight events per directory, so a walk of
 * 10,000 directories would overflow the kernel queue with its own reads. The start-up walk and
 * the rescan therefore watch each directory they list without those three bits while they read
 * (`quiet`), and widen those watches to the full mask when they are done. Before start-up there
 * is nothing to lose, and a rescan follows an overflow; a directory that appears while the tree
 * runs is watched with the full mask at once, so nothing another process does in it goes
 * unreported (its listing is reported instead).
 *
 * A directory with no subdirectory is not listed when its link count says so (see
 * {@link LeafCheck}), and nothing the walk does reads it: its watch gets the full mask at once.
 * On a filesystem that counts links, where most directories of a tree are such leaves, a quiet
 * walk therefore adds each watch with the full mask first, and narrows it to the reading mask
 * only when the directory has subdirectories after all: one `inotify_add_watch` per leaf instead
 * of two, and only the directories listed wait to be widened.
 */
import { type Dirent, lstatSync, readdirSync, statfsSync } from 'node:fs';
import * as sys from '@inotify-ts/syscall';
import type { InotifyError } from '../errors.js';
import type { InotifyEvent } from '../event.js';
import type { WatchTable } from '../watches.js';
import { codeOf, encodingError, unreadableError, unwatchableError, vanished } from './errors.js';
import type { IgnoredDirPredicate, TreeMasks } from './options.js';
import { childPath } from './paths.js';
import { syntheticCreate } from './synthetic.js';
import type { WdSet } from './wd-set.js';

/** What a walk works on: the instance's fd and table, and the tree's settings. */
export interface WalkContext {
  readonly fd: number;
  readonly table: WatchTable;
  readonly masks: TreeMasks;
  readonly ignored: IgnoredDirPredicate | null;
  /** Reports a directory the walk could not watch or list, and carries on. */
  hole(path: string, error: InotifyError): void;
  /** Forgets a hole at `path` (it was watched and listed now). */
  mended(path: string): void;
  /** Watches whose widening failed: the directory was renamed in the meantime. */
  readonly narrow: Set<number>;
}

/** What a walk should produce besides watches. */
export interface WalkOptions {
  /** Leave the read events out of each watch while the walk reads (see the module comment). */
  readonly quiet: boolean;
  /** Where to put a synthetic `IN_CREATE` for every entry found; `null`: report nothing. */
  readonly synthetic: InotifyEvent[] | null;
  /** Every wd the walk watched (also keeps a bind-mount loop from being walked twice). */
  readonly visited: WdSet;
  /** Called every 1,024 directories with the count so far. */
  readonly progress?: ((dirs: number) => void) | undefined;
}

/** How a walk ended. */
export interface WalkResult {
  /** Directories walked (watched, or reported as holes). */
  readonly dirs: number;
  /** The ENOSPC that stopped the walk, with the directories it could not reach counted. */
  readonly limit: { readonly error: InotifyError; readonly unwatched: number } | null;
}

/** Watches `top` and every directory below it; see the module comment. */
export function walk(ctx: WalkContext, top: string, options: WalkOptions): WalkResult {
  const { fd, table, masks, ignored } = ctx;
  const { synthetic, visited, progress } = options;
  const mask = options.quiet ? masks.reading : masks.full;
  const full = masks.full;
  const stack = [top];
  const leaves = new LeafCheck();
  const widenPaths: string[] = [];
  const widenWds: number[] = [];
  let dirs = 0;
  let limit: WalkResult['limit'] = null;
  try {
    while (stack.length > 0) {
      const dir = stack.pop()!;
      dirs++;
      if (progress !== undefined && (dirs & 1023) === 0) progress(dirs);
      // Bet on a leaf (full mask first) where the previous directory's filesystem counts links.
      const bet = mask !== full && synthetic === null && leaves.counting;
      let wd: number;
      try {
        wd = sys.addWatch(fd, dir, bet ? full : mask);
      } catch (error) {
        if (codeOf(error) === 'ENOSPC') {
          stack.push(dir);
          dirs--;
          limit = { error: error as InotifyError, unwatched: countDirs(stack, ignored) };
          break;
        }
        if (!vanished(error)) ctx.hole(dir, unwatchableError(dir, error as InotifyError));
        continue;
      }
      if (visited.has(wd)) {
        // Met again (a bind mount): a quiet walk keeps the watch quiet until it ends, as its first
        // visit may still have subdirectories to list.
        const seen = table.pathOf(wd);
        if (mask !== full && seen !== undefined && (!bet || setMask(ctx, dir, wd, mask))) {
          widenPaths.push(seen);
          widenWds.push(wd);
        }
        continue;
      }
      visited.add(wd);
      table.set(dir, wd);
      // Without entries to report, a directory with no subdirectory need not be listed. Checked
      // after its watch exists: a subdirectory made since is reported by the kernel.
      if (synthetic === null && leaves.isLeaf(dir)) {
        if (mask !== full && !bet && !widenWatch(ctx, dir, wd)) ctx.narrow.add(wd);
        ctx.mended(dir);
        continue;
      }
      // Listed with the reading mask; a bet lost is narrowed first (if `dir` is another directory
      // now, its watch keeps the full mask and the listing goes on as a listing of the new one).
      if (mask !== full && (!bet || setMask(ctx, dir, wd, mask))) {
        widenPaths.push(dir);
        widenWds.push(wd);
      }
      let entries: Dirent[];
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch (error) {
        // Vanished after the watch was added: its IN_DELETE_SELF and IN_IGNORED are on the way.
        if (!vanished(error)) ctx.hole(dir, unreadableError(dir, error));
        continue;
      }
      ctx.mended(dir);
      const firstChild = stack.length;
      for (const entry of entries) {
        const name = entry.name;
        const isDir = entry.isDirectory();
        if (synthetic !== null) synthetic.push(syntheticCreate(wd, dir, name, isDir));
        if (!isDir) continue;
        const child = childPath(dir, name);
        if (ignored?.(child, name)) continue;
        if (name.includes('\uFFFD') && !exists(child)) {
          ctx.hole(child, encodingError(child));
          continue;
        }
        stack.push(child);
      }
      // Walk the children in listing order: the stack pops the last one first.
      for (let a = firstChild, b = stack.length - 1; a < b; a++, b--) {
        const child = stack[a]!;
        stack[a] = stack[b]!;
        stack[b] = child;
      }
    }
  } finally {
    widen(ctx, widenPaths, widenWds);
  }
  return { dirs, limit };
}

/**
 * Adds the full mask to the watches a quiet walk added with the reading mask. A directory renamed
 * since is found under its new path later (the rename's events relocate it, and the tree widens
 * it then); a path that now names another directory is left alone.
 */
function widen(ctx: WalkContext, paths: readonly string[], wds: readonly number[]): void {
  for (let k = 0; k < paths.length; k++) {
    const wd = wds[k]!;
    if (ctx.table.pathOf(wd) !== paths[k]) continue; // ended or moved during the walk
    if (!widenWatch(ctx, paths[k]!, wd)) ctx.narrow.add(wd);
  }
}

/**
 * Re-adds the watch `wd` at `path` with the full mask. Returns `false` when `path` does not name
 * that directory any more (a new watch it created on another inode is removed again).
 */
export function widenWatch(ctx: WalkContext, path: string, wd: number): boolean {
  return setMask(ctx, path, wd, ctx.masks.full);
}

/** {@link widenWatch} with `mask` instead of the full mask. */
function setMask(ctx: WalkContext, path: string, wd: number, mask: number): boolean {
  let got: number;
  try {
    got = sys.addWatch(ctx.fd, path, mask);
  } catch {
    return false;
  }
  if (got === wd) return true;
  if (ctx.table.pathOf(got) === undefined) {
    try {
      sys.rmWatch(ctx.fd, got);
    } catch {
      // Ended already.
    }
  }
  return false;
}

/**
 * Filesystems where a directory's link count is 2 plus its number of subdirectories (its `.` and
 * its entry in the parent, plus each subdirectory's `..`), so that 2 means none, by `statfs`
 * type: ext2/3/4, XFS, tmpfs. Others (btrfs and overlayfs report 1; FUSE, NFS and others
 * report what they like) are always listed, as GNU find's `-noleaf` does.
 */
const LEAF_COUNTING_FILESYSTEMS = new Set([0xef53, 0x58465342, 0x01021994]);

/**
 * Tells directories with no subdirectory by their link count, on the filesystems known to count
 * links as above (cached per device). Unsure means not a leaf: the caller lists it.
 */
class LeafCheck {
  readonly #devices = new Map<number, boolean>();
  /** `[nlink, device id, device id]` of the last directory checked, reused (no object per call). */
  readonly #links = new Uint32Array(3);
  /** Whether the last directory checked was on a filesystem that counts links. */
  counting = false;

  /** Whether `dir` has no subdirectory. */
  isLeaf(dir: string): boolean {
    const links = this.#links;
    try {
      if (!sys.lstatLinks(dir, links)) return false;
    } catch {
      return false; // Unsure: list it, and let the listing report what is wrong.
    }
    const device = links[1]! * 2 ** 32 + links[2]!;
    let counts = this.#devices.get(device);
    if (counts === undefined) {
      try {
        counts = LEAF_COUNTING_FILESYSTEMS.has(statfsSync(dir).type);
      } catch {
        counts = false;
      }
      this.#devices.set(device, counts);
    }
    this.counting = counts;
    return counts && links[0] === 2;
  }
}

/** Counts the directories at and below `dirs`, without watching them (for the ENOSPC message). */
function countDirs(dirs: string[], ignored: IgnoredDirPredicate | null): number {
  let count = 0;
  while (dirs.length > 0) {
    const dir = dirs.pop()!;
    count++;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const child = childPath(dir, entry.name);
      if (!ignored?.(child, entry.name)) dirs.push(child);
    }
  }
  return count;
}

/** Whether anything exists at `p` (a symbolic link counts, followed or not). */
export function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}
