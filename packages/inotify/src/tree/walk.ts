/**
 * The walk that makes the tree's nodes match the disk below some directories: the start-up walk,
 * the walk of a directory that appears, and the reconcile of directories the tree is in doubt
 * about (see `reconcile` below and `source.ts`). A walk is a job that runs in slices: `step()`
 * does a bounded amount and says whether it is done, so an async consumer can give the event
 * loop a turn between slices.
 *
 * Each directory is watched first and listed second, so nothing created in it after the listing
 * can be missed: it is either in the listing or reported by the kernel.
 *
 * The kernel keeps one watch per inode, and `inotify_add_watch` answers with the wd of the watch
 * that inode has already: that is how a walk tells a directory the tree knows (wherever the tree
 * thought it was) from a new one. A known directory found at another place is moved there; a
 * node whose place on disk holds another directory now is handed back to the tree when the walk
 * ends unless the walk found it elsewhere. Nothing is guessed: a node whose path is gone keeps
 * its watch (the kernel reports where it went), and what the walk does not see, it does not change.
 *
 * Listing a watched directory makes the kernel report IN_OPEN, IN_ACCESS and IN_CLOSE_NOWRITE
 * on its watch and its parent's: eight events per directory, so a walk of 10,000 directories
 * would overflow the kernel queue with its own reads. A `quiet` walk (start-up, and the rescan
 * after an overflow) therefore watches each directory it lists without those three bits while it
 * reads, and widens those watches to the full mask when it is done. A directory that appears
 * while the tree runs is watched with the full mask at once, so nothing another process does in
 * it goes unreported.
 *
 * A directory with no subdirectory is not listed when its link count says so (see
 * {@link LeafCheck}) and nothing needs its entries: its watch gets the full mask at once. On a
 * filesystem that counts links a quiet walk adds each watch with the full mask first, and
 * narrows it only when the directory has subdirectories after all: one `inotify_add_watch` per
 * leaf instead of two.
 */
import { type Dirent, lstatSync, readdirSync, statfsSync } from 'node:fs';
import * as sys from '@inotify-ts/syscall';
import type { InotifyError } from '../errors.js';
import type { InotifyEvent } from '../event.js';
import { displayPath, pathArg, type Watches } from '../watches.js';
import { codeOf, unreadableError, unwatchableError, vanished } from './errors.js';
import { DirNode } from './node.js';
import type { IgnoredDirPredicate, TreeMasks } from './options.js';
import { joinBytes } from './paths.js';
import { syntheticCreate } from './synthetic.js';
import { WdSet } from './wd-set.js';

/** What a walk works on: the tree's watches and settings, and where it reports. */
export interface WalkContext {
  readonly watches: Watches;
  readonly masks: TreeMasks;
  readonly ignored: IgnoredDirPredicate | null;
  /** Reports a directory the walk could not watch or list, and carries on. */
  hole(path: string, error: InotifyError): void;
  /** Forgets a hole at `path` (bytes): it was watched and listed now. */
  mended(path: string): void;
  /** A node moved from one path to another (bytes), for what the tree keys by path. */
  moved(from: string, to: string): void;
  /** The tree cannot be sure of `node`'s entries any more: check it again when idle. */
  doubt(node: DirNode): void;
  /**
   * `node`'s place holds another directory now, and the walk did not find it elsewhere: the tree
   * decides (the kernel's queued records may say where it went).
   */
  displaced(node: DirNode): void;
  /** Watches whose widening failed: the directory was renamed in the meantime. */
  readonly narrow: Set<DirNode>;
  /** Takes what the kernel queued meanwhile into memory (listing is reported: see above). */
  spill(): void;
}

/** Flags of a directory to walk. */
const REPORT_SELF = 1; // report it with a synthetic IN_CREATE in its parent if it is new to the tree
const CHECK_IGNORED = 2; // ask `ignoredDirs` first (not for roots, nor where the caller asked)
const RELIST = 4; // list it even if it is known (a reconcile of this node)
// Its parent was reported to the user as it is now (new, or moved there by the walk): report
// everything in it, known or not, since nothing the user was told says what it holds.
const INSIDE_REPORTED = 8;

/**
 * The directories still to walk, as parallel arrays (no object per directory: a walk of 10,000
 * directories would make 10,000 of them): the parent (`null` for a root), the name (bytes; a
 * root's whole path), the node the tree has at that place (only checked, not listed, unless
 * `RELIST`), and the flags above.
 */
class Pending {
  readonly parents: (DirNode | null)[] = [];
  readonly names: string[] = [];
  readonly known: (DirNode | null)[] = [];
  readonly flags: number[] = [];

  get length(): number {
    return this.names.length;
  }

  push(parent: DirNode | null, name: string, known: DirNode | null, flags: number): void {
    this.parents.push(parent);
    this.names.push(name);
    this.known.push(known);
    this.flags.push(flags);
  }

  pop(): void {
    this.parents.pop();
    this.names.pop();
    this.known.pop();
    this.flags.pop();
  }

  clear(): void {
    this.parents.length = this.names.length = this.known.length = this.flags.length = 0;
  }

  /** Reverses the entries from `first` on (so that they pop in the order they were pushed). */
  reverse(first: number): void {
    reverseFrom(this.parents, first);
    reverseFrom(this.names, first);
    reverseFrom(this.known, first);
    reverseFrom(this.flags, first);
  }

  /** The path (bytes) of entry `k`. */
  path(k: number): string {
    const parent = this.parents[k]!;
    return parent === null ? this.names[k]! : joinBytes(parent.bytes, this.names[k]!);
  }
}

/** Reverses `column` from index `first` on, in place. */
function reverseFrom(column: unknown[], first: number): void {
  for (let a = first, b = column.length - 1; a < b; a++, b--) {
    const t = column[a];
    column[a] = column[b];
    column[b] = t;
  }
}

/** How a walk is to go. */
export interface WalkOptions {
  /** Leave the read events out of each watch while the walk reads (see the module comment). */
  readonly quiet: boolean;
  /** Report the entries of every directory new to the tree with synthetic `IN_CREATE`s. */
  readonly report: boolean;
  /** List known directories too, all the way down (the rescan after an overflow). */
  readonly deep: boolean;
  /**
   * The walk runs with every record applied (a check or a rescan, when the tree is idle), so a
   * known directory found at another place may be moved there. A walk of a directory that just
   * appeared runs among records still queued: the disk is ahead of them, and moving a node now
   * would give the queued records about it paths they never had; it marks both places in doubt.
   */
  readonly settled: boolean;
  /** Called every 1,024 directories with the count so far. */
  readonly progress?: ((dirs: number) => void) | undefined;
}

/** How a walk ended. */
export interface WalkLimit {
  /** The ENOSPC that stopped the walk. */
  readonly error: InotifyError;
  /** Directories it could not reach, counted without watching them. */
  readonly unwatched: number;
}

export class Walk {
  readonly #ctx: WalkContext;
  readonly #options: WalkOptions;
  /** Where synthetic events go, in order. */
  readonly #out: InotifyEvent[];
  readonly #stack = new Pending();
  /** Every wd the walk met (watched or checked). */
  readonly #visited = new WdSet();
  /** The wds whose directory the walk listed (or found to have no subdirectory). */
  readonly #listed = new WdSet();
  readonly #leaves = new LeafCheck();
  /** Nodes a quiet walk watches with the reading mask until it ends. */
  readonly #widen: DirNode[] = [];
  /** Nodes whose place holds something else now, handed to the tree at the end unless found elsewhere. */
  readonly #lost = new Set<DirNode>();
  /** The nodes this walk was asked to check (to ask again if it is given up). */
  readonly checked: DirNode[] = [];
  /** Parents a node was moved away from, listed before the walk ends (they may hold a lost node). */
  readonly #relisted = new Set<DirNode>();
  /** Directories walked (watched, or reported as holes). */
  dirs = 0;
  limit: WalkLimit | null = null;
  /** The roots the walk met (a root walked again may be a new node: another directory there). */
  readonly roots: DirNode[] = [];
  #done = false;

  constructor(ctx: WalkContext, options: WalkOptions, out: InotifyEvent[]) {
    this.#ctx = ctx;
    this.#options = options;
    this.#out = out;
  }

  /** Walks a root (its path as bytes): watched, listed, and everything below it walked. */
  addRoot(path: string): void {
    this.#stack.push(null, path, null, RELIST);
  }

  /**
   * Walks the directory `name` of `parent` that just appeared (the caller asked `ignoredDirs`
   * already and the kernel reported the directory itself).
   */
  addNew(parent: DirNode, name: string): void {
    this.#stack.push(parent, name, null, RELIST);
  }

  /** Checks `node` against the disk: its place, and its entries (see {@link WalkOptions.deep}). */
  addReconcile(node: DirNode): void {
    this.checked.push(node);
    this.#stack.push(node.parent, node.name, node, RELIST | (this.#options.report ? REPORT_SELF : 0));
  }

  get done(): boolean {
    return this.#done;
  }

  /** Whether the walk met the watch `wd` (watched or checked it). */
  met(wd: number): boolean {
    return this.#visited.has(wd);
  }

  /**
   * Walks for about `budgetMs` milliseconds (`Infinity`: to the end). Returns `true` once done.
   * A throwing `ignoredDirs` leaves its directory first on the stack: calling `step()` again asks
   * it again.
   */
  step(budgetMs: number): boolean {
    if (this.#done) return true;
    const deadline = budgetMs === Number.POSITIVE_INFINITY ? budgetMs : performance.now() + budgetMs;
    let n = 0;
    const stack = this.#stack;
    while (stack.length > 0) {
      if ((++n & 7) === 0) {
        // Listing a directory with the full mask queues up to eight events: read them every 32
        // directories, so that a walk of thousands does not overflow the queue with its own reads.
        if ((n & 31) === 0 && !this.#options.quiet) this.#ctx.spill();
        if (performance.now() >= deadline) return false;
      }
      const top = stack.length - 1;
      const parent = stack.parents[top]!;
      const name = stack.names[top]!;
      const known = stack.known[top]!;
      const flags = stack.flags[top]!;
      // Asked with the directory still on the stack: if it throws, the next step asks again.
      if (
        (flags & CHECK_IGNORED) !== 0 &&
        this.#ctx.ignored?.(displayPath(stack.path(top)), displayPath(name))
      ) {
        stack.pop();
        continue;
      }
      stack.pop();
      this.#visit(parent, name, known, flags);
    }
    this.#finish();
    return true;
  }

  #visit(parent: DirNode | null, name: string, known: DirNode | null, flags: number): void {
    const ctx = this.#ctx;
    const { quiet, report, deep, progress } = this.#options;
    const path = parent === null ? name : joinBytes(parent.bytes, name);
    const arg = pathArg(path);
    this.dirs++;
    if (progress !== undefined && (this.dirs & 1023) === 0) progress(this.dirs);
    const full = ctx.masks.full;
    const reading = ctx.masks.reading;
    // Bet on a leaf (full mask first) where the previous directory's filesystem counts links.
    const bet = quiet && this.#leaves.counting;
    let wd: number;
    try {
      wd = ctx.watches.add(arg, quiet && !bet ? reading : full);
    } catch (error) {
      if (codeOf(error) === 'ENOSPC') {
        this.dirs--;
        this.#stack.push(parent, name, known, flags);
        this.limit = { error: error as InotifyError, unwatched: countDirs(this.#stack, ctx.ignored) };
        this.#stack.clear();
        return;
      }
      if (vanished(error)) {
        // Gone, or its parent's path is stale: the kernel reports the first (a node the tree has
        // there keeps its watch until then); check for the second.
        if (parent !== null) ctx.doubt(parent);
        return;
      }
      ctx.hole(path, unwatchableError(displayPath(path), error as InotifyError));
      return;
    }
    if (this.#visited.has(wd) && (this.#listed.has(wd) || (flags & RELIST) === 0)) {
      // Met again in this walk (a bind mount, or checked before and not to be listed): a quiet
      // walk keeps the watch quiet until it ends.
      const seen = ctx.watches.get(wd) as DirNode | undefined;
      if (quiet && seen !== undefined && (!bet || setMask(ctx, arg, wd, reading))) this.#widen.push(seen);
      return;
    }
    this.#visited.add(wd);
    let node = ctx.watches.get(wd) as DirNode | undefined;
    let isNew = false;
    if (node === undefined) {
      // A new node moves no other: no path cached anywhere changes.
      const displaced = parent?.child(name);
      if (displaced !== undefined) {
        displaced.detach();
        this.#lose(displaced);
      }
      node = new DirNode(wd, parent, name);
      ctx.watches.set(wd, node);
      isNew = true;
      if ((flags & REPORT_SELF) !== 0 && parent !== null) this.#out.push(syntheticCreate(parent, name, true));
      if (known !== null && known !== node) this.#lose(known);
    } else if (node.parent !== parent || node.name !== name || !node.attached) {
      // A directory the tree knows, found at another place: to the user, who may have been told
      // only that it left its old place, it is new here.
      if (node.attached && parent !== null && sameInode(node.bytes, path)) return; // an alias (bind mount)
      if (parent === null) return; // a root found as a root's alias: keep the roots as given
      if (!this.#options.settled) {
        ctx.doubt(parent);
        ctx.doubt(node.parent ?? node);
        return;
      }
      const from = node.bytes;
      const oldParent = node.parent;
      this.#place(node, parent, name);
      ctx.moved(from, node.bytes);
      if (oldParent !== null && oldParent !== parent) this.#relist(oldParent);
      isNew = true;
      if ((flags & REPORT_SELF) !== 0) this.#out.push(syntheticCreate(parent, name, true));
      if (known !== null && known !== node) this.#lose(known);
    } else if (known !== null && (flags & RELIST) === 0 && !deep) {
      // Checked, and where the tree thought: trusted without listing.
      this.#found(node);
      if (quiet && !bet) this.#widenNow(node, arg);
      return;
    }
    this.#found(node);
    if (parent === null) this.roots.push(node);
    ctx.mended(path);
    const reportEntries = report && (isNew || (flags & INSIDE_REPORTED) !== 0);
    this.#listed.add(wd);
    if (!reportEntries && !node.hasChildren && this.#leaves.isLeaf(arg)) {
      if (quiet && !bet) this.#widenNow(node, arg);
      return;
    }
    // Listed with the reading mask; a bet lost is narrowed first.
    if (quiet && (!bet || setMask(ctx, arg, wd, reading))) this.#widen.push(node);
    let entries: Dirent[];
    try {
      entries = readdirSync(arg, { encoding: 'latin1', withFileTypes: true });
    } catch (error) {
      if (vanished(error)) {
        if (parent !== null) ctx.doubt(parent);
      } else {
        ctx.hole(path, unreadableError(displayPath(path), error));
      }
      return;
    }
    const listed = node.hasChildren ? new Set<string>() : null;
    const first = this.#stack.length;
    // Indexed: this runs once per directory, mostly before the optimizing compiler has seen it,
    // and a for-of there makes an iterator result per entry.
    for (let e = 0; e < entries.length; e++) {
      const entry = entries[e]!;
      const entryName = entry.name;
      const isDir = entry.isDirectory();
      if (reportEntries) this.#out.push(syntheticCreate(node, entryName, isDir));
      if (!isDir) continue;
      listed?.add(entryName);
      const child = listed === null ? null : (node.child(entryName) ?? null);
      this.#stack.push(
        node,
        entryName,
        child,
        CHECK_IGNORED |
          (reportEntries ? INSIDE_REPORTED | RELIST : report ? REPORT_SELF : 0) |
          (deep || child === null ? RELIST : 0),
      );
    }
    if (listed !== null) {
      for (const child of node.childList()) if (!listed.has(child.name)) this.#lose(child);
    }
    // Walk the children in listing order: the stack pops the last one first.
    this.#stack.reverse(first);
  }

  /** Attaches `node` at `parent`/`name`; a node displaced from there is lost. */
  #place(node: DirNode, parent: DirNode, name: string): void {
    const displaced = node.attach(parent, name);
    if (displaced !== undefined && displaced !== node) this.#lose(displaced);
  }

  /** `node`'s place holds something else: released at the end unless found elsewhere. */
  #lose(node: DirNode): void {
    if (!this.#visited.has(node.wd)) this.#lost.add(node);
  }

  #found(node: DirNode): void {
    this.#lost.delete(node);
  }

  /** A node was moved away from `parent`: list `parent` too, it may hold a lost node. */
  #relist(parent: DirNode): void {
    if (this.#relisted.has(parent) || !parent.attached) return;
    this.#relisted.add(parent);
    this.#stack.push(parent.parent, parent.name, parent, RELIST | (this.#options.report ? REPORT_SELF : 0));
    this.#listed.delete(parent.wd);
  }

  #widenNow(node: DirNode, arg: string | Buffer): void {
    if (!setMask(this.#ctx, arg, node.wd, this.#ctx.masks.full)) this.#ctx.narrow.add(node);
  }

  #finish(): void {
    this.#done = true;
    // Widen what a quiet walk narrowed (at the node's path now; a node renamed since is widened
    // when the rename is applied).
    for (const node of this.#widen) {
      if (this.#ctx.watches.get(node.wd) !== node) continue; // released meanwhile
      this.#widenNow(node, pathArg(node.bytes));
    }
    this.#widen.length = 0;
    for (const node of this.#lost) {
      if (this.#ctx.watches.get(node.wd) === node && !this.#visited.has(node.wd)) this.#ctx.displaced(node);
    }
    this.#lost.clear();
  }
}

/**
 * Re-adds the watch `wd` at `path` with `mask`. Returns `false` when `path` does not name that
 * directory any more (a new watch it created on another inode is removed again).
 */
export function setMask(ctx: WalkContext, path: string | Buffer, wd: number, mask: number): boolean {
  let got: number;
  try {
    got = ctx.watches.add(path, mask);
  } catch {
    return false;
  }
  if (got === wd) return true;
  if (ctx.watches.get(got) === undefined) {
    try {
      ctx.watches.remove(got);
    } catch {
      // Ended already.
    }
  }
  return false;
}

/** Whether two paths (bytes) name one inode now. */
function sameInode(a: string, b: string): boolean {
  try {
    const x = lstatSync(pathArg(a), { bigint: true });
    const y = lstatSync(pathArg(b), { bigint: true });
    return x.ino === y.ino && x.dev === y.dev;
  } catch {
    return false;
  }
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
  isLeaf(dir: string | Buffer): boolean {
    if (typeof dir !== 'string') return false; // lstatLinks takes strings: list it.
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

/** Counts the directories at and below those `pending`, without watching them (for the ENOSPC message). */
function countDirs(pending: Pending, ignored: IgnoredDirPredicate | null): number {
  const dirs = pending.names.map((_, k) => pending.path(k));
  let count = 0;
  while (dirs.length > 0) {
    const dir = dirs.pop()!;
    count++;
    let entries: Dirent[];
    try {
      entries = readdirSync(pathArg(dir), { encoding: 'latin1', withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const child = joinBytes(dir, entry.name);
      if (!ignored?.(displayPath(child), displayPath(entry.name))) dirs.push(child);
    }
  }
  return count;
}
