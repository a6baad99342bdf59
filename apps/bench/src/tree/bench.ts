/**
 * The tree-arming benchmark (issue 5, Performance): how long each recursive
 * watcher takes to arm a large tree, how many inotify watches it holds then, and
 * how much memory its process uses. Each watcher runs in its own process, one after
 * the other, on the same cached (and warm) tree.
 */
import { fileURLToPath } from 'node:url';
import { type Child, failure, start, stop } from '../child.js';
import { bareNodeRssKiB } from '../ingest/bench.js';
import { inotifywaitIfListed } from '../inotifywait.js';
import { inotifyWatches, memory } from '../proc.js';
import { median, medianOrNull } from '../stats.js';
import { fmt, fmtInt, fmtRatio, renderTable, skipNotes } from '../table.js';
import { countTree, ensureTree, type TreeCounts } from './build.js';
import type { TreeWatcherKind } from './watcher.js';

/** The watchers, in table order. */
export const TREE_TOOLS = ['inotify-ts', 'inotifywait', 'parcel', 'chokidar', 'fs.watch'] as const;

/** One of {@link TREE_TOOLS}. */
export type TreeToolId = (typeof TREE_TOOLS)[number];

const LABELS: Record<TreeToolId, string> = {
  'inotify-ts': 'inotify-ts InotifyTree',
  inotifywait: 'inotifywait -r',
  parcel: '@parcel/watcher 2 subscribe',
  chokidar: 'chokidar 5 (ready)',
  'fs.watch': 'fs.watch recursive',
};

/** Longest wait for a watcher to arm. */
const ARM_TIMEOUT_MS = 300_000;

/** Options of {@link runTree}. */
export interface TreeOptions {
  readonly runs: number;
  readonly tree: TreeCounts;
  readonly tools: readonly TreeToolId[];
  readonly log: (line: string) => void;
}

/** One arming of one watcher. */
export interface TreeRun {
  /** In-process time from the library call until armed (inotifywait: from spawn), ms. */
  readonly armMs: number;
  /** From spawn until the bench saw the armed line, ms (includes process start-up and module loading). */
  readonly spawnToArmedMs: number;
  /** inotify watches the process holds once armed. */
  readonly watches: number;
  /** VmHWM once armed, KiB. */
  readonly peakRssKiB: number;
}

/** Medians of one watcher over its runs. */
export interface TreeRow {
  readonly id: TreeToolId;
  readonly label: string;
  readonly skipped: string | null;
  readonly runs: readonly TreeRun[];
  readonly armMs: number | null;
  readonly spawnToArmedMs: number | null;
  readonly watches: number | null;
  readonly peakRssMiB: number | null;
}

/** The tree result. */
export interface TreeResult {
  readonly root: string;
  readonly tree: TreeCounts;
  readonly bareNodeRssMiB: number;
  readonly rows: readonly TreeRow[];
}

const watcherScript = fileURLToPath(new URL('./watcher.js', import.meta.url));

async function armOnce(id: TreeToolId, root: string, inotifywait: string | null): Promise<TreeRun> {
  let child: Child | undefined;
  try {
    let armMs: number;
    let armedAt: bigint;
    if (id === 'inotifywait') {
      child = start(inotifywait!, ['-m', '-r', root], { stdio: ['ignore', 'ignore', 'pipe'] });
      await child.stderr!.wait((l) => l.includes('Watches established.'), ARM_TIMEOUT_MS, 'inotifywait -r');
      armedAt = process.hrtime.bigint();
      armMs = Number(armedAt - child.spawnedAt) / 1e6;
    } else {
      child = start(process.execPath, [watcherScript, id satisfies TreeWatcherKind, root]);
      const line = await child.stdout!.wait((l) => l.startsWith('armed '), ARM_TIMEOUT_MS, `${id} armed`);
      armedAt = process.hrtime.bigint();
      armMs = (JSON.parse(line.slice('armed '.length)) as { armMs: number }).armMs;
    }
    return {
      armMs,
      spawnToArmedMs: Number(armedAt - child.spawnedAt) / 1e6,
      watches: inotifyWatches(child.pid),
      peakRssKiB: memory(child.pid).peakKiB,
    };
  } catch (error) {
    throw failure(error, child);
  } finally {
    if (child !== undefined) await stop(child);
  }
}

/**
 * Builds (or finds) the tree, then arms it with every watcher `runs` times,
 * interleaved in a rotating order.
 */
export async function runTree(options: TreeOptions): Promise<TreeResult> {
  const { log } = options;
  const root = ensureTree(options.tree, log);
  const skipped = new Map<TreeToolId, string>();
  const inotifywait = inotifywaitIfListed(options.tools, skipped, log);
  const active = options.tools.filter((id) => !skipped.has(id));
  const runs = new Map<TreeToolId, TreeRun[]>(active.map((id) => [id, []]));
  const bare: number[] = [];
  for (let r = 0; r < options.runs; r++) {
    bare.push(await bareNodeRssKiB());
    countTree(root); // the same warm caches for every run
    for (let j = 0; j < active.length; j++) {
      const id = active[(j + r) % active.length]!;
      try {
        const run = await armOnce(id, root, inotifywait);
        runs.get(id)!.push(run);
        log(
          `tree run ${r + 1}/${options.runs} ${LABELS[id]}: armed in ${run.armMs.toFixed(0)} ms ` +
            `(spawn to armed ${run.spawnToArmedMs.toFixed(0)} ms), ${run.watches} watches, ` +
            `peak RSS ${(run.peakRssKiB / 1024).toFixed(1)} MiB`,
        );
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        log(`tree run ${r + 1}/${options.runs} ${LABELS[id]}: failed: ${reason}`);
        if (!skipped.has(id)) skipped.set(id, `failed: ${reason}`);
      }
    }
  }
  return {
    root,
    tree: options.tree,
    bareNodeRssMiB: median(bare) / 1024,
    rows: options.tools.map((id) => {
      const list = runs.get(id) ?? [];
      const failed = list.length === 0 ? (skipped.get(id) ?? 'not run') : null;
      return {
        id,
        label: LABELS[id],
        skipped: failed,
        runs: list,
        armMs: medianOrNull(list.map((r) => r.armMs)),
        spawnToArmedMs: medianOrNull(list.map((r) => r.spawnToArmedMs)),
        watches: medianOrNull(list.map((r) => r.watches)),
        peakRssMiB: medianOrNull(list.map((r) => r.peakRssKiB / 1024)),
      };
    }),
  };
}

/** The tree table, times against inotifywait -r. */
export function renderTreeTable(result: TreeResult): string {
  const base = result.rows.find((r) => r.id === 'inotifywait');
  const rows = result.rows.map((row) =>
    row.skipped !== null
      ? [row.label, 'not measured', '', '', '', '', '']
      : [
          row.label,
          fmt(row.armMs, 0),
          fmtRatio(row.armMs, base?.armMs ?? null),
          fmt(row.spawnToArmedMs, 0),
          fmtInt(row.watches),
          fmt(row.peakRssMiB, 1),
          row.peakRssMiB === null ? 'n/a' : fmt(row.peakRssMiB - result.bareNodeRssMiB, 1),
        ],
  );
  rows.push(['bare Node (no watcher)', '', '', '', '', fmt(result.bareNodeRssMiB, 1), '0.0']);
  return (
    renderTable(
      [
        { header: 'watcher' },
        { header: 'armed ms', align: 'right' },
        { header: 'vs inotifywait', align: 'right' },
        { header: 'spawn to armed ms', align: 'right' },
        { header: 'watches', align: 'right' },
        { header: 'peak RSS MiB', align: 'right' },
        { header: 'over bare Node', align: 'right' },
      ],
      rows,
    ) + skipNotes(result.rows)
  );
}
