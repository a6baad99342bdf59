/**
 * The randomized tree test. Each run arms an InotifyTree on a fresh directory holding a few
 * directories, then performs random operations (mkdir, mkdir -p, rmdir of an empty directory,
 * rm -r, file creates and unlinks, renames within the tree, renames of ancestors, moves out to a
 * sibling directory outside the root, moves in of a directory prepared outside with files and
 * subdirectories), while the consumer pulls events in chunks of random size. After the consumer
 * has pulled until quiet:
 * - the watched set equals `find root -type d`, and the kernel's own watches agree inode by inode;
 * - replaying the delivered events over the first listing (IN_CREATE and IN_MOVED_TO add,
 *   IN_DELETE and IN_MOVED_FROM remove with everything below, a directory's IN_MOVED_TO paired by
 *   cookie carries what was below it over, synthetic IN_CREATEs add) gives exactly what is on disk.
 *
 * Every run prints its seed. `INOTIFY_SEED=<n>` replays one seed in every configuration;
 * `INOTIFY_SEEDS=<n>` sets how many fresh seeds run (default 60, spread over the configurations:
 * the three generators, each with readDelayMs 0, readDelayMs 20, a slow consumer and the smallest
 * read buffer). Seeds that once failed are kept below as fixed tests.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IN_CREATE, IN_DELETE, IN_ISDIR, IN_MOVED_FROM, IN_MOVED_TO, InotifyTree } from '../../src/index.js';
import { openWriteClose, removeDir, tempDir } from '../helpers.js';
import {
  expectWatchingDisk,
  findDirs,
  MODES,
  type Mode,
  pull,
  type Rec,
  TREE_OPTIONS,
  watched,
} from './helpers.js';

/** One way to run the consumer. */
interface Variant {
  readonly name: string;
  readonly readDelayMs?: number;
  readonly readBufferBytes?: number;
  /** Milliseconds of work per event (per batch for batches()). */
  readonly slowMs?: number;
}

const VARIANTS: readonly Variant[] = [
  { name: 'readDelayMs 0', readDelayMs: 0 },
  { name: 'readDelayMs 20', readDelayMs: 20 },
  { name: 'a slow consumer', slowMs: 2 },
  { name: 'readBufferBytes 272', readBufferBytes: 272 },
];

interface Config {
  readonly mode: Mode;
  readonly variant: Variant;
}

const CONFIGS: readonly Config[] = MODES.flatMap((mode) => VARIANTS.map((variant) => ({ mode, variant })));

const configName = (c: Config) => `${c.mode}, ${c.variant.name}`;

/** Random operations per run. */
const OPS = 40;

/** mulberry32: a small seeded PRNG with uniform output in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What the test has put on disk under the root: relative path → is a directory. */
class Disk {
  readonly entries = new Map<string, boolean>();
  #next = 0;

  constructor(
    readonly root: string,
    readonly outside: string,
    readonly random: () => number,
  ) {}

  fresh(prefix: string): string {
    return `${prefix}${this.#next++}`;
  }

  pick<T>(items: readonly T[]): T | undefined {
    return items.length === 0 ? undefined : items[Math.floor(this.random() * items.length)];
  }

  abs(rel: string): string {
    return rel === '' ? this.root : path.join(this.root, rel);
  }

  /** Every directory, the root as `''`. */
  dirs(): string[] {
    return ['', ...[...this.entries].filter(([, d]) => d).map(([p]) => p)];
  }

  files(): string[] {
    return [...this.entries].filter(([, d]) => !d).map(([p]) => p);
  }

  below(rel: string): string[] {
    return [...this.entries.keys()].filter((p) => p.startsWith(`${rel}/`));
  }

  remove(rel: string): void {
    for (const p of [rel, ...this.below(rel)]) this.entries.delete(p);
  }

  move(from: string, to: string): void {
    const moved = [from, ...this.below(from)].map((p) => [p, this.entries.get(p)!] as const);
    this.remove(from);
    for (const [p, d] of moved) this.entries.set(to + p.slice(from.length), d);
  }

  mkdir(parent: string, name = this.fresh('d')): string {
    const rel = parent === '' ? name : `${parent}/${name}`;
    fs.mkdirSync(this.abs(rel));
    this.entries.set(rel, true);
    return rel;
  }

  file(parent: string): void {
    const rel = parent === '' ? this.fresh('f') : `${parent}/${this.fresh('f')}`;
    openWriteClose(this.abs(rel));
    this.entries.set(rel, false);
  }

  /** A small tree prepared outside the root (it holds files and subdirectories), returned by its path. */
  prepareOutside(): { dir: string; entries: [string, boolean][] } {
    const name = this.fresh('in');
    const dir = path.join(this.outside, name);
    const entries: [string, boolean][] = [];
    fs.mkdirSync(dir);
    const dirs = [''];
    for (let k = 0, n = 1 + Math.floor(this.random() * 4); k < n; k++) {
      const parent = this.pick(dirs)!;
      const rel = parent === '' ? this.fresh('s') : `${parent}/${this.fresh('s')}`;
      if (this.random() < 0.5) {
        fs.mkdirSync(path.join(dir, rel));
        dirs.push(rel);
        entries.push([rel, true]);
      } else {
        openWriteClose(path.join(dir, rel));
        entries.push([rel, false]);
      }
    }
    return { dir: name, entries };
  }
}

/** Performs one random operation; returns what it did (for the failure message). */
function randomOperation(disk: Disk): string {
  const r = disk.random();
  const dirs = disk.dirs();
  const nonRoot = dirs.filter((d) => d !== '');
  const join = (parent: string, name: string) => (parent === '' ? name : `${parent}/${name}`);
  if (r < 0.18) return `mkdir ${disk.mkdir(disk.pick(dirs)!)}`;
  if (r < 0.24) {
    let parent = disk.pick(dirs)!;
    for (let k = 0, n = 2 + Math.floor(disk.random() * 2); k < n; k++) parent = disk.mkdir(parent);
    if (disk.random() < 0.5) disk.file(parent);
    return `mkdir -p ${parent}`;
  }
  if (r < 0.42) {
    const parent = disk.pick(dirs)!;
    disk.file(parent);
    return `create in ${parent || '.'}`;
  }
  if (r < 0.48) {
    const file = disk.pick(disk.files());
    if (file === undefined) return 'nothing to unlink';
    fs.unlinkSync(disk.abs(file));
    disk.remove(file);
    return `unlink ${file}`;
  }
  if (r < 0.54) {
    const empty = disk.pick(nonRoot.filter((d) => disk.below(d).length === 0));
    if (empty === undefined) return 'no empty dir';
    fs.rmdirSync(disk.abs(empty));
    disk.remove(empty);
    return `rmdir ${empty}`;
  }
  if (r < 0.6) {
    const victim = disk.pick(nonRoot);
    if (victim === undefined) return 'nothing to rm -r';
    fs.rmSync(disk.abs(victim), { recursive: true });
    disk.remove(victim);
    return `rm -r ${victim}`;
  }
  if (r < 0.72) {
    const from = disk.pick([...disk.entries.keys()]);
    if (from === undefined) return 'nothing to rename';
    const into = disk.pick(dirs.filter((d) => d !== from && !d.startsWith(`${from}/`)))!;
    const to = join(into, disk.fresh('r'));
    fs.renameSync(disk.abs(from), disk.abs(to));
    disk.move(from, to);
    return `mv ${from} ${to}`;
  }
  if (r < 0.8) {
    const ancestor = disk.pick(nonRoot.filter((d) => disk.below(d).some((p) => disk.entries.get(p))));
    if (ancestor === undefined) return 'no ancestor to rename';
    const to = join(
      path.posix.dirname(ancestor) === '.' ? '' : path.posix.dirname(ancestor),
      disk.fresh('a'),
    );
    fs.renameSync(disk.abs(ancestor), disk.abs(to));
    disk.move(ancestor, to);
    return `mv ${ancestor} ${to} (an ancestor)`;
  }
  if (r < 0.88) {
    const victim = disk.pick([...disk.entries.keys()]);
    if (victim === undefined) return 'nothing to move out';
    fs.renameSync(disk.abs(victim), path.join(disk.outside, disk.fresh('out')));
    disk.remove(victim);
    return `mv ${victim} out`;
  }
  const prepared = disk.prepareOutside();
  const to = join(disk.pick(dirs)!, prepared.dir);
  fs.renameSync(path.join(disk.outside, prepared.dir), disk.abs(to));
  disk.entries.set(to, true);
  for (const [rel, d] of prepared.entries) disk.entries.set(`${to}/${rel}`, d);
  return `mv in ${to} (${prepared.entries.length} entries)`;
}

/** Every entry below `root` as a relative path, directories with a trailing `/`, sorted. */
function listing(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(rel === '' ? root : path.join(root, rel), { withFileTypes: true })) {
      const p = rel === '' ? entry.name : `${rel}/${entry.name}`;
      out.push(entry.isDirectory() ? `${p}/` : p);
      if (entry.isDirectory()) walk(p);
    }
  };
  walk('');
  return out.sort();
}

/**
 * Replays `events` over `initial` (a {@link listing}): the entries the events say are there at the
 * end, in the same form. Events on a watched directory itself (no name) change nothing.
 */
function replay(root: string, initial: readonly string[], events: readonly Rec[]): string[] {
  const entries = new Map<string, boolean>(initial.map((p) => [p.replace(/\/$/, ''), p.endsWith('/')]));
  const moved = new Map<number, [string, boolean][]>();
  const removeBelow = (rel: string): [string, boolean][] => {
    const gone: [string, boolean][] = [];
    for (const [p, d] of entries) {
      if (p.startsWith(`${rel}/`)) gone.push([p.slice(rel.length), d]);
    }
    for (const [suffix] of gone) entries.delete(rel + suffix);
    entries.delete(rel);
    return gone;
  };
  for (const e of events) {
    if (e.filename === '') continue;
    const rel = path.relative(root, path.join(e.path, e.filename));
    const isDir = (e.mask & IN_ISDIR) !== 0;
    if ((e.mask & IN_CREATE) !== 0) entries.set(rel, isDir);
    else if ((e.mask & IN_DELETE) !== 0) removeBelow(rel);
    else if ((e.mask & IN_MOVED_FROM) !== 0) moved.set(e.cookie, removeBelow(rel));
    else if ((e.mask & IN_MOVED_TO) !== 0) {
      entries.set(rel, isDir);
      for (const [suffix, d] of (isDir && moved.get(e.cookie)) || []) entries.set(rel + suffix, d);
      moved.delete(e.cookie);
    }
  }
  return [...entries].map(([p, d]) => (d ? `${p}/` : p)).sort();
}

/** One run: arms a tree, performs {@link OPS} random operations with pulls between, then checks. */
async function run(seed: number, config: Config): Promise<void> {
  console.log(`random tree: seed ${seed} (${configName(config)}); replay with INOTIFY_SEED=${seed}`);
  const root = tempDir('inotify-ts-random-');
  const outside = tempDir('inotify-ts-random-outside-');
  try {
    const disk = new Disk(root, outside, prng(seed));
    for (let k = 0; k < 4; k++) disk.mkdir(disk.pick(disk.dirs())!);
    disk.file(disk.pick(disk.dirs())!);
    const { mode, variant } = config;
    using tree = new InotifyTree(root, {
      ...TREE_OPTIONS,
      ...(variant.readDelayMs === undefined ? {} : { readDelayMs: variant.readDelayMs }),
      ...(variant.readBufferBytes === undefined ? {} : { readBufferBytes: variant.readBufferBytes }),
    });
    const initial = listing(root);
    const done: string[] = [];
    const events: Rec[] = [];
    const pulling = { mode, slowMs: variant.slowMs ?? 0 };
    for (let k = 0; k < OPS; k++) {
      done.push(randomOperation(disk));
      if (disk.random() < 0.3) {
        const max = 1 + Math.floor(disk.random() * 20);
        events.push(...(await pull(tree, { ...pulling, max, quietS: 0.02, quietCycles: 1 })));
      }
    }
    events.push(...(await pull(tree, pulling)));

    const context = `seed ${seed} (${configName(config)}) after: ${done.join('; ')}`;
    const dirs = findDirs(root);
    const table = watched(tree);
    expect({
      context,
      unwatched: dirs.filter((d) => !table.includes(d)),
      stale: table.filter((d) => !dirs.includes(d)),
    }).toEqual({ context, unwatched: [], stale: [] });
    const onDisk = listing(root);
    const replayed = replay(root, initial, events);
    expect({
      context,
      missing: onDisk.filter((p) => !replayed.includes(p)),
      extra: replayed.filter((p) => !onDisk.includes(p)),
    }).toEqual({ context, missing: [], extra: [] });
    expectWatchingDisk(tree, root);
  } finally {
    removeDir(root);
    removeDir(outside);
  }
}

/** The configuration of `mode` with the variant named `variant`. */
function configOf(mode: Mode, variant: string): Config {
  return { mode, variant: VARIANTS.find((v) => v.name === variant)! };
}

/**
 * Seeds that once failed, with the configuration they failed in: they run every time. These left
 * directories unwatched (and what was in them unreported) in the tree that resolved paths as
 * strings when the consumer pulled.
 */
const FIXED: readonly { seed: number; config: Config }[] = [
  { seed: 1432315427, config: configOf('eventGen', 'a slow consumer') },
  { seed: 1432315449, config: configOf('eventGen', 'readDelayMs 0') },
  { seed: 1432315430, config: configOf('events', 'readDelayMs 20') },
  { seed: 1432315480, config: configOf('events', 'readBufferBytes 272') },
  { seed: 1432315457, config: configOf('batches', 'readDelayMs 0') },
  { seed: 1432315458, config: configOf('batches', 'readDelayMs 20') },
  // Failed against the node tree: a check that met a directory as a child first skipped listing it
  // when it came to it as a directory in doubt.
  { seed: 1960084744, config: configOf('eventGen', 'readDelayMs 0') },
  // Failed against the node tree: a known directory found under a new one (moved there before the
  // tree watched its new parent) was moved in the model but its contents were never reported.
  { seed: 1142056193, config: configOf('events', 'readDelayMs 0') },
  { seed: 1142056201, config: configOf('eventGen', 'readDelayMs 0') },
  { seed: 1142056232, config: configOf('events', 'readBufferBytes 272') },
  // Failed when a walk had read the kernel queue into memory: eventGen() polled the empty kernel
  // queue and ended its cycles quiet with the last events still in memory.
  { seed: 1130755423, config: configOf('eventGen', 'readDelayMs 0') },
  // Failed when the walk of a new directory moved a known one to where the disk had it: the
  // records still queued about it then carried paths they never had.
  { seed: 1995659412, config: configOf('events', 'a slow consumer') },
];

const replaySeed = process.env['INOTIFY_SEED'];
const seedCount = Number(process.env['INOTIFY_SEEDS'] ?? 60);
const base = Math.floor(Math.random() * 2 ** 31);
const fresh: { seed: number; config: Config }[] =
  replaySeed === undefined
    ? Array.from({ length: seedCount }, (_, k) => ({
        seed: (base + k) >>> 0,
        config: CONFIGS[k % CONFIGS.length]!,
      }))
    : CONFIGS.map((config) => ({ seed: Number(replaySeed), config }));

describe('a tree under random operations', () => {
  it.each(FIXED.map((f) => ({ ...f, name: configName(f.config) })))(
    'stays exact for seed $seed, which once failed ($name)',
    ({ seed, config }) => run(seed, config),
  );

  it.each(fresh.map((f) => ({ ...f, name: configName(f.config) })))(
    'keeps the watched set and the replayed events equal to the disk for seed $seed ($name)',
    ({ seed, config }) => run(seed, config),
  );
});
