/**
 * Fixtures of the exactness tests: one consumer loop over each of the three generators
 * (`eventGen()`, `events()`, `batches()`) that turns what it delivers into plain records, the
 * watched set against the disk (and against the kernel's own list of watches), the probe that
 * proves every watched directory reports with its true path, and event expectations that allow
 * the one freedom the tree has (an entry reported by a kernel event, a synthetic one, or both).
 *
 * Everything here goes through the package's public API only.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { expect } from 'vitest';
import {
  type ConsumeOptions,
  IN_ACCESS,
  IN_ALL_EVENTS,
  IN_CLOSE_NOWRITE,
  IN_CLOSE_WRITE,
  IN_CREATE,
  IN_ISDIR,
  IN_OPEN,
  type InotifyEvent,
  type InotifyTrees,
  maskNames,
  type TreeBatch,
} from '../../src/index.js';
import { openWriteClose, sleep, type Tuple, tuple } from '../helpers.js';

/** Every event but the three that reading a directory produces: the tree's own listings stay out. */
export const QUIET_MASK = (IN_ALL_EVENTS & ~(IN_OPEN | IN_ACCESS | IN_CLOSE_NOWRITE)) >>> 0;

/** The three ways to consume an instance. */
export type Mode = 'eventGen' | 'events' | 'batches';
export const MODES: readonly Mode[] = ['eventGen', 'events', 'batches'];

/** One delivered event (or batch record), with the name's exact bytes as hex. */
export interface Rec extends Tuple {
  nameHex: string;
  synthetic: boolean;
}

/** The kernel's `len` for a name of `bytes` bytes: NUL-terminated, padded to 16. */
export function paddedLen(bytes: number): number {
  return bytes === 0 ? 0 : Math.ceil((bytes + 1) / 16) * 16;
}

export function recOf(e: InotifyEvent): Rec {
  return {
    ...tuple(e),
    nameHex: Buffer.from(e.filenameBytes).toString('hex'),
    synthetic: e.synthetic === true,
  };
}

/** The records of a batch (of a tree or a plain instance), with paths looked up while the batch is held. */
export function recsOfBatch(tree: { pathOf(wd: number): string | undefined }, batch: TreeBatch): Rec[] {
  const out: Rec[] = [];
  for (let k = 0; k < batch.count; k++) {
    const wd = batch.wd[k]!;
    const mask = batch.mask[k]!;
    out.push({
      wd,
      mask,
      cookie: batch.cookie[k]!,
      len: batch.len[k]!,
      typeNames: [...maskNames(mask)],
      path: wd === -1 ? '' : (tree.pathOf(wd) ?? `<no path for wd ${wd}>`),
      filename: batch.name(k),
      nameHex: Buffer.from(batch.nameBytes(k)).toString('hex'),
      synthetic: batch.synthetic?.[k] === 1,
    });
  }
  return out;
}

/** A path or name as events show it: invalid UTF-8 replaced by U+FFFD. */
export function lossy(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

/**
 * Expected record of a kernel event; `filename` as a string (UTF-8) or as the exact bytes of a
 * name that is not UTF-8; `cookie` 0 unless given.
 */
export function kev(wd: number, mask: number, p: string, filename: string | Uint8Array, cookie = 0): Rec {
  const bytes =
    typeof filename === 'string'
      ? Buffer.from(filename)
      : Buffer.from(filename.buffer, filename.byteOffset, filename.byteLength);
  return {
    wd,
    mask: mask >>> 0,
    cookie,
    len: paddedLen(bytes.length),
    typeNames: [...maskNames(mask >>> 0)],
    path: p,
    filename: lossy(bytes),
    nameHex: bytes.toString('hex'),
    synthetic: false,
  };
}

/** Expected record of a synthetic IN_CREATE (with IN_ISDIR for a directory). */
export function sev(wd: number, p: string, filename: string | Uint8Array, isDir: boolean): Rec {
  return { ...kev(wd, isDir ? IN_CREATE | IN_ISDIR : IN_CREATE, p, filename), synthetic: true };
}

/** How to pull events in {@link pull}. */
export interface PullOptions {
  mode: Mode;
  /** Stop after this many events (for `batches()`, after the batch that reaches it). */
  max?: number;
  /** Milliseconds of work per event (eventGen: the thread is blocked; events/batches: awaited per event/batch). */
  slowMs?: number;
  /** events()/batches(): stop after this many seconds without an event (default 0.3). */
  quietS?: number;
  /** eventGen(): stop after this many consecutive cycles without an event (default 2). */
  quietCycles?: number;
  /** filterPredicate and terminalEvents (eventGen and events only). */
  consume?: ConsumeOptions;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the thread for `ms` (a consumer busy with work between events). */
export function busyFor(ms: number): void {
  if (ms > 0) Atomics.wait(sleeper, 0, 0, ms);
}

/** What {@link pull} reads from: a tree or a plain instance. */
export type Source = Pick<InotifyTrees, 'eventGen' | 'events' | 'batches' | 'pathOf'>;

/**
 * Pulls events with one generator of the kind `mode` until it was quiet (or `max` events came),
 * then ends that generator. Events read and not pulled stay with the instance. A tree must have
 * been made with a small `blockDurationS` (see {@link TREE_OPTIONS}) for `eventGen()`'s cycles.
 */
export async function pull(source: Source, options: PullOptions): Promise<Rec[]> {
  const { events, error } = await pullCatching(source, options);
  if (error !== undefined) throw error;
  return events;
}

/** {@link pull}, returning what the generator threw (`undefined` if nothing) beside what it delivered before. */
export async function pullCatching(
  source: Source,
  options: PullOptions,
): Promise<{ events: Rec[]; error: unknown }> {
  const { mode, max = Number.POSITIVE_INFINITY, slowMs = 0, quietS = 0.3, quietCycles = 2 } = options;
  const out: Rec[] = [];
  try {
    if (mode === 'eventGen') {
      let quiet = 0;
      let seen = 0;
      for (const e of source.eventGen({ ...options.consume, yieldNones: true })) {
        if (e === null) {
          quiet = seen === 0 ? quiet + 1 : 0;
          seen = 0;
          if (quiet >= quietCycles) break;
          continue;
        }
        seen++;
        out.push(recOf(e));
        busyFor(slowMs);
        if (out.length >= max) break;
      }
    } else if (mode === 'events') {
      for await (const e of source.events({ ...options.consume, timeoutS: quietS })) {
        out.push(recOf(e));
        if (slowMs > 0) await sleep(slowMs);
        if (out.length >= max) break;
      }
    } else {
      await pullBatches(source, out, {
        max,
        slowMs,
        quietS,
      });
    }
  } catch (error) {
    return { events: out, error };
  }
  return { events: out, error: undefined };
}

/** The `batches()` part of {@link pullCatching}: quiet means no batch for `quietS` (an abort ends the wait). */
async function pullBatches(
  source: Source,
  out: Rec[],
  { max, slowMs, quietS }: { max: number; slowMs: number; quietS: number },
): Promise<void> {
  const controller = new AbortController();
  const quietReason = new Error('quiet');
  let timer = setTimeout(() => controller.abort(quietReason), quietS * 1000);
  try {
    for await (const batch of source.batches({ signal: controller.signal })) {
      clearTimeout(timer);
      out.push(...recsOfBatch(source, batch));
      if (slowMs > 0) await sleep(slowMs);
      if (out.length >= max) break;
      timer = setTimeout(() => controller.abort(quietReason), quietS * 1000);
    }
  } catch (error) {
    if (error !== quietReason) throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** Options every tree of these tests is made with: cycles of eventGen() short, reads quiet. */
export const TREE_OPTIONS = { blockDurationS: 0.05, mask: QUIET_MASK } as const;

/** `find root -type d`, sorted: the directories on disk, `root` included. */
export function findDirs(root: string): string[] {
  return execFileSync('find', [root, '-type', 'd'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line !== '')
    .sort();
}

/** The paths the tree watches, sorted. */
export function watched(tree: InotifyTrees): string[] {
  return [...new Set(tree.watches().keys())].sort();
}

/** The inotify instances open in this process: fd → (wd → inode), from /proc/self/fdinfo. */
export function kernelWatchSets(): Map<number, Map<number, number>> {
  const out = new Map<number, Map<number, number>>();
  for (const name of fs.readdirSync('/proc/self/fd')) {
    let target: string;
    try {
      target = fs.readlinkSync(`/proc/self/fd/${name}`);
    } catch {
      continue; // the fd of the listing itself, closed by now
    }
    if (target !== 'anon_inode:inotify') continue;
    const wds = new Map<number, number>();
    for (const line of fs.readFileSync(`/proc/self/fdinfo/${name}`, 'utf8').split('\n')) {
      const m = /^inotify wd:([0-9a-f]+) ino:([0-9a-f]+)/.exec(line);
      if (m !== null) wds.set(Number.parseInt(m[1]!, 16), Number.parseInt(m[2]!, 16));
    }
    out.set(Number(name), wds);
  }
  return out;
}

/** How many inotify instances this process has open. */
export function inotifyFds(): number {
  return kernelWatchSets().size;
}

/**
 * Asserts that the tree watches exactly the directories on disk under `root`, and that the
 * kernel agrees: the tree's inotify instance (every fd of the process whose watches include the
 * root's wd on the root's inode: `events()` may read a duplicate) holds exactly the tree's wds,
 * each on the inode that is now at the path the tree gives it.
 */
export function expectWatchingDisk(tree: InotifyTrees, root: string): void {
  const dirs = findDirs(root);
  expect(watched(tree)).toEqual(dirs);
  const table = tree.watches();
  const rootIno = fs.lstatSync(root).ino;
  const withWatches = [...kernelWatchSets().values()].filter((wds) => wds.get(table.get(root)!) === rootIno);
  expect(withWatches.length).toBeGreaterThan(0);
  for (const wds of withWatches) {
    expect([...wds.keys()].sort((a, b) => a - b)).toEqual([...table.values()].sort((a, b) => a - b));
    for (const [dir, wd] of table) {
      expect({ dir, ino: wds.get(wd) }).toEqual({ dir, ino: fs.lstatSync(dir).ino });
    }
  }
}

/**
 * Creates a file named `name` in every directory the tree watches, pulls until quiet, and asserts
 * that exactly their IN_CREATE and IN_CLOSE_WRITE came, in order, each with the wd and the path
 * of its directory (the tree's mask is {@link QUIET_MASK}). Removes the files again afterwards
 * (and pulls their deletes), so the tree is as before.
 */
export async function expectEveryDirReports(tree: InotifyTrees, mode: Mode, name = 'probe'): Promise<void> {
  const table = tree.watches();
  const dirs = [...table.keys()].sort();
  for (const dir of dirs) openWriteClose(path.join(dir, name));
  const events = await pull(tree, { mode });
  expect(events).toEqual(
    dirs.flatMap((dir) => [
      kev(table.get(dir)!, IN_CREATE, dir, name),
      kev(table.get(dir)!, IN_CLOSE_WRITE, dir, name),
    ]),
  );
  for (const dir of dirs) fs.unlinkSync(path.join(dir, name));
  await pull(tree, { mode });
}

/** One entry that a kernel event, a synthetic event, or both may report: the alternatives. */
export type Either = readonly Rec[];

/**
 * Asserts the events a scenario fixes: `kernel` exactly and in order (kernel events only),
 * `synthetic` exactly as a multiset (their order among entries of one directory is the listing's),
 * for each `either` group at least one of its alternatives delivered, each at most once, and each
 * of `mayAlso` (a synthetic report of an entry a kernel event already reported under a path that
 * has changed since) at most once. `either` and `mayAlso` records are taken out before the exact
 * comparisons.
 */
export function expectEvents(
  events: readonly Rec[],
  expected: {
    kernel: readonly Rec[];
    synthetic?: readonly Rec[];
    either?: readonly Either[];
    mayAlso?: readonly Rec[];
  },
): void {
  const key = (r: Rec) =>
    JSON.stringify([r.wd, r.mask, r.cookie, r.len, r.typeNames, r.path, r.filename, r.nameHex, r.synthetic]);
  let rest = [...events];
  for (const optional of expected.mayAlso ?? []) {
    const k = key(optional);
    expect(rest.filter((r) => key(r) === k).length, `${k} at most once`).toBeLessThanOrEqual(1);
    rest = rest.filter((r) => key(r) !== k);
  }
  for (const group of expected.either ?? []) {
    const keys = new Set(group.map(key));
    const hits = rest.filter((r) => keys.has(key(r)));
    expect(hits.length, `one of ${JSON.stringify(group)} delivered`).toBeGreaterThan(0);
    expect(new Set(hits.map(key)).size, `each of ${JSON.stringify(group)} at most once`).toBe(hits.length);
    rest = rest.filter((r) => !keys.has(key(r)));
  }
  expect(rest.filter((r) => !r.synthetic)).toEqual(expected.kernel);
  const sorted = (rs: readonly Rec[]) => [...rs].map(key).sort();
  expect(sorted(rest.filter((r) => r.synthetic))).toEqual(sorted(expected.synthetic ?? []));
}

/** The cookie of the first IN_MOVED_FROM named `name` among `events` (0 if none: the test then fails on it). */
export function cookieOf(events: readonly Rec[], name: string): number {
  return events.find((e) => e.typeNames.includes('IN_MOVED_FROM') && e.filename === name)?.cookie ?? 0;
}

/** `renameat2(2)` from the C library, through koffi (the dependency of @inotify-ts/syscall). */
export function renameExchange(a: string, b: string): void {
  const require = createRequire(import.meta.url);
  const koffi = createRequire(require.resolve('@inotify-ts/syscall'))('koffi') as {
    load(name: string): { func(proto: string): (...args: unknown[]) => number };
    errno(): number;
  };
  const renameat2 = koffi
    .load('libc.so.6')
    .func(
      'int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags)',
    );
  const AT_FDCWD = -100;
  const RENAME_EXCHANGE = 2;
  const rc = renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
  if (rc !== 0) throw new Error(`renameat2(${a}, ${b}, RENAME_EXCHANGE) failed with errno ${koffi.errno()}`);
}
