/**
 * The event-loop delay benchmark (issue 11): a large tree moved into a watched InotifyTree while
 * the application runs a 1 ms interval. Each run copies the cached tree next to an empty watched
 * root (same file system) and starts catchup.js, which renames it in and measures the event loop
 * until the tree has caught up.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Child, failure, start, stop } from '../child.js';
import { cacheDir } from '../paths.js';
import { median, medianOrNull } from '../stats.js';
import { fmt, fmtInt, renderTable, skipNotes } from '../table.js';
import { ensureTree, type TreeCounts } from './build.js';
import type { CatchUpConfig, CatchUpReport } from './catchup.js';

/** The consumers measured, in table order. */
export const CATCH_UP_KINDS = ['events', 'batches'] as const;
export type CatchUpKind = (typeof CATCH_UP_KINDS)[number];

const LABELS: Record<CatchUpKind, string> = {
  events: 'InotifyTree events()',
  batches: 'InotifyTree batches()',
};

/**
 * The tree's default mask in these runs: every event but the reads (`IN_OPEN`, `IN_ACCESS`,
 * `IN_CLOSE_NOWRITE`), as a user who watches for changes would ask. With them, the tree's own
 * listing of each new directory queues three events on the watch it has just added: 30,000 for
 * 10,000 directories, more than the default queue of 16,384 (`--catchup-mask all` shows it).
 */
export const NO_READS_MASK = 0xfff & ~(0x20 | 0x1 | 0x10);

/** `--catchup-mask`: `no-reads` (default, {@link NO_READS_MASK}), `all`, or event bits as a number. */
export function parseCatchUpMask(value: string | undefined): number {
  if (value === undefined || value === 'no-reads') return NO_READS_MASK;
  if (value === 'all') return 0xfff;
  const mask = Number(value);
  if (!Number.isInteger(mask) || mask <= 0 || (mask & ~0xfff) !== 0 || (mask & 0x100) === 0) {
    throw new RangeError(
      `--catchup-mask must be no-reads, all or event bits with IN_CREATE (0x100), got ${JSON.stringify(value)}`,
    );
  }
  return mask;
}

/** Longest a run may take to catch up. */
const TIMEOUT_MS = 120_000;

/** Medians of one consumer's runs. */
export interface CatchUpRow {
  readonly kind: CatchUpKind;
  readonly label: string;
  readonly skipped: string | null;
  readonly runs: readonly CatchUpReport[];
  /** Runs that caught up before the timeout. */
  readonly caughtUp: number;
  /** Most IN_Q_OVERFLOW seen in a run. */
  readonly maxOverflows: number | null;
  readonly catchUpMs: number | null;
  readonly delayP99Ms: number | null;
  readonly delayMaxMs: number | null;
  readonly gapP99Ms: number | null;
  readonly gapMaxMs: number | null;
  readonly peakRssMiB: number | null;
}

/** The loop-delay result. */
export interface CatchUpResult {
  readonly tree: TreeCounts;
  /** The tree's mask option. */
  readonly mask: number;
  readonly runs: number;
  readonly rows: readonly CatchUpRow[];
}

const script = fileURLToPath(new URL('./catchup.js', import.meta.url));

async function once(
  kind: CatchUpKind,
  source: string,
  counts: TreeCounts,
  mask: number,
): Promise<CatchUpReport> {
  const parent = join(cacheDir(), 'runs');
  mkdirSync(parent, { recursive: true });
  const work = mkdtempSync(join(parent, `catchup-${kind}-`));
  let child: Child | undefined;
  try {
    const root = join(work, 'root');
    const staged = join(work, 'staged');
    mkdirSync(root);
    const cp = spawnSync('cp', ['-a', source, staged], { stdio: ['ignore', 'ignore', 'pipe'] });
    if (cp.status !== 0) throw new Error(`cp -a ${source} ${staged} failed: ${cp.stderr?.toString().trim()}`);
    const config: CatchUpConfig = { kind, root, staged, ...counts, mask, timeoutMs: TIMEOUT_MS };
    child = start(process.execPath, [script, JSON.stringify(config)]);
    const line = await child.stdout!.wait((l) => l.startsWith('{'), TIMEOUT_MS + 60_000, `${kind} catch-up`);
    return JSON.parse(line) as CatchUpReport;
  } catch (error) {
    throw failure(error, child);
  } finally {
    if (child !== undefined) await stop(child);
    rmSync(work, { recursive: true, force: true });
  }
}

/** Medians of the runs of one consumer (pure). */
export function summarizeCatchUp(
  kind: CatchUpKind,
  runs: readonly CatchUpReport[],
  skipped: string | null,
): CatchUpRow {
  const med = (f: (r: CatchUpReport) => number) => (runs.length === 0 ? null : median(runs.map(f)));
  return {
    kind,
    label: LABELS[kind],
    skipped,
    runs,
    caughtUp: runs.filter((r) => r.caughtUp).length,
    maxOverflows: runs.length === 0 ? null : Math.max(...runs.map((r) => r.overflows)),
    catchUpMs: med((r) => r.catchUpMs),
    delayP99Ms: med((r) => r.delayP99Ms),
    delayMaxMs: med((r) => r.delayMaxMs),
    gapP99Ms: med((r) => r.gapP99Ms),
    gapMaxMs: med((r) => r.gapMaxMs),
    peakRssMiB: medianOrNull(runs.map((r) => r.peakRssKiB / 1024)),
  };
}

/** Runs every consumer `runs` times, interleaved. */
export async function runCatchUp(options: {
  readonly runs: number;
  readonly tree: TreeCounts;
  readonly kinds: readonly CatchUpKind[];
  readonly mask: number;
  readonly log: (line: string) => void;
}): Promise<CatchUpResult> {
  const { log } = options;
  const source = ensureTree(options.tree, log);
  const got = new Map<CatchUpKind, CatchUpReport[]>(options.kinds.map((k) => [k, []]));
  const failed = new Map<CatchUpKind, string>();
  for (let r = 0; r < options.runs; r++) {
    for (let j = 0; j < options.kinds.length; j++) {
      const kind = options.kinds[(j + r) % options.kinds.length]!;
      try {
        const report = await once(kind, source, options.tree, options.mask);
        got.get(kind)!.push(report);
        log(
          `catch-up run ${r + 1}/${options.runs} ${LABELS[kind]}: ${report.caughtUp ? 'caught up' : 'TIMED OUT'} ` +
            `in ${report.catchUpMs.toFixed(0)} ms, loop delay p99 ${report.delayP99Ms.toFixed(1)} ms ` +
            `max ${report.delayMaxMs.toFixed(1)} ms, interval gap max ${report.gapMaxMs.toFixed(1)} ms, ` +
            `${report.synthetic}/${report.expectedSynthetic} synthetic, ${report.watches}/${report.expectedWatches} watches, ` +
            `${report.overflows} overflows`,
        );
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        log(`catch-up run ${r + 1}/${options.runs} ${LABELS[kind]}: FAILED: ${reason}`);
        failed.set(kind, reason);
      }
    }
  }
  return {
    tree: options.tree,
    mask: options.mask,
    runs: options.runs,
    rows: options.kinds.map((kind) => {
      const runs = got.get(kind) ?? [];
      return summarizeCatchUp(kind, runs, runs.length === 0 ? `every run failed: ${failed.get(kind)}` : null);
    }),
  };
}

/** The loop-delay table. */
export function renderCatchUp(result: CatchUpResult): string {
  const rows = result.rows.map((row) =>
    row.skipped !== null
      ? [row.label, 'not measured', '', '', '', '', '', '', '']
      : [
          row.label,
          `${row.caughtUp}/${row.runs.length}`,
          fmtInt(row.maxOverflows),
          fmt(row.catchUpMs, 0),
          fmt(row.delayP99Ms, 1),
          fmt(row.delayMaxMs, 1),
          fmt(row.gapP99Ms, 1),
          fmt(row.gapMaxMs, 1),
          fmt(row.peakRssMiB, 1),
        ],
  );
  return (
    renderTable(
      [
        { header: 'consumer' },
        { header: 'caught up', align: 'right' },
        { header: 'overflows (worst)', align: 'right' },
        { header: 'catch-up ms', align: 'right' },
        { header: 'loop delay p99 ms', align: 'right' },
        { header: 'loop delay max ms', align: 'right' },
        { header: '1 ms interval gap p99', align: 'right' },
        { header: 'gap max ms', align: 'right' },
        { header: 'peak RSS MiB', align: 'right' },
      ],
      rows,
    ) +
    skipNotes(result.rows) +
    `\n\nExpected per run: ${fmtInt(result.tree.dirs + 1)} watches, ${fmtInt(result.tree.dirs - 1 + result.tree.files)} synthetic events.`
  );
}
