/**
 * The targets of issues 11 and 12 as figures: each one taken from a bench result, compared with
 * its goal, and printed beside the same figure from a saved baseline (the "before" column), so
 * that a change is judged against the code it replaced, measured the same way.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { IngestResult, IngestRow } from './ingest/bench.js';
import { maskHex } from './mask.js';
import { fmt, renderTable } from './table.js';
import type { TreeResult } from './tree/bench.js';
import type { CatchUpResult } from './tree/loop-delay.js';

/** One figure against its goal. */
export interface Metric {
  /** Stable key, the same in every baseline file. */
  readonly id: string;
  /** What is measured, in words. */
  readonly label: string;
  /** The goal, in words (`<= 1 ms`). */
  readonly goal: string;
  /** The figure (null: not measured in this run). */
  readonly value: number | null;
  /** The figure as printed. */
  readonly text: string;
  /** Whether the goal is met (null: not measured, or no goal to check). */
  readonly met: boolean | null;
  /**
   * The size and mask the figure was measured at (`200,000 ops, mask 0xfc6`): a baseline figure
   * is compared only at the same scale (a --quick run is not compared with a full one).
   */
  readonly scale: string;
}

/** A saved set of figures: what `--save-baseline` writes and `--baseline` reads. */
export interface Baseline {
  /** When, where and how the figures were taken. */
  readonly taken: string;
  readonly machine: string;
  readonly load: string;
  readonly command: string;
  /** Which code the figures measured (written by hand: a commit, a description). */
  readonly code?: string;
  /** Each figure, with when it was taken and the load then (a baseline may merge several runs). */
  readonly metrics: Readonly<Record<string, SavedFigure>>;
}

/** One figure of a baseline. */
export interface SavedFigure {
  readonly value: number | null;
  readonly text: string;
  readonly scale: string;
  readonly taken: string;
  readonly load: string;
}

/** The inotify-ts consumers the targets are about. */
const OURS = [
  ['batches', 'batches()'],
  ['events', 'events()'],
  ['eventGen', 'eventGen()'],
] as const;

function metric(
  id: string,
  label: string,
  goal: string,
  value: number | null,
  text: string,
  ok: ((v: number) => boolean) | null,
): Metric {
  return { id, label, goal, value, text, met: value === null || ok === null ? null : ok(value), scale: '' };
}

function row(rows: readonly IngestRow[] | undefined, id: string): IngestRow | undefined {
  const r = rows?.find((x) => x.id === id);
  return r === undefined || r.skipped !== null ? undefined : r;
}

function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  return a === null || a === undefined || b === null || b === undefined || b === 0 ? null : a / b;
}

const x = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(2)}x`);

/**
 * The figures of `ingest`, `tree` and `catchUp` (any may be missing) against the issues' goals.
 * `before` is the baseline, for goals stated against it (tree RSS no higher than before).
 */
export function metrics(
  ingest: IngestResult | undefined,
  tree: TreeResult | undefined,
  catchUp: CatchUpResult | undefined,
  before: Baseline | undefined,
): Metric[] {
  const out: Metric[] = [];
  let from = 0;
  /** Sets the scale of the metrics pushed since the last call. */
  const scaled = (scale: string) => {
    for (let i = from; i < out.length; i++) out[i] = { ...out[i]!, scale };
    from = out.length;
  };
  if (ingest !== undefined) {
    const mask = `mask ${maskHex(ingest.mask)}`;
    const stormScale = `${ingest.ops.toLocaleString('en-US')} ops, ${mask}`;
    for (const [id, name] of OURS) {
      const r = row(ingest.storm, id);
      const share = r?.cleanRuns == null ? null : r.cleanRuns / r.runs.length;
      out.push(
        metric(
          `storm.clean.${id}`,
          `storm: ${name} runs complete, in order, no overflow`,
          'every run',
          share,
          r?.cleanRuns == null ? 'n/a' : `${r.cleanRuns}/${r.runs.length}`,
          (v) => v === 1,
        ),
      );
    }
    scaled(stormScale);
    const capRow = (id: string) => ingest.capacity.find((c) => c.id === id && c.skipped === null);
    for (const [id, name, goal] of [
      ['batches', 'batches()', 0.8],
      ['events', 'events()', 0.6],
      ['eventGen', 'eventGen()', null],
    ] as const) {
      const mine = capRow(id);
      const v = ratio(mine?.capacity, capRow('c')?.capacity);
      // A consumer that kept up with the unpaced producer has no ceiling found: the ratio is then
      // a lower bound, and the goal is met whatever the C floor's figure.
      const bound = mine?.bound === 'producer';
      const m = metric(
        `capacity.${id}.vsC`,
        `capacity: ${name} highest rate with no loss, vs C`,
        goal === null ? '(no goal)' : `>= ${goal}x`,
        v,
        bound && mine?.capacity != null
          ? `kept up with the producer (${(mine.capacity / 1000).toFixed(1)}k ops/s)`
          : x(v),
        goal === null ? null : (r) => bound || r >= goal - 1e-9,
      );
      out.push(m);
    }
    scaled(`${ingest.capacityOps.toLocaleString('en-US')} ops per step, ${mask}`);
    for (const lr of ingest.light) {
      const c = row(lr.rows, 'c')?.cpuMsPer1kOps;
      const fs = row(lr.rows, 'fs.watch')?.cpuMsPer1kOps;
      const warm = lr.warmupOps > 0 ? ', warm' : '';
      for (const [id, name] of OURS) {
        const cpu = row(lr.rows, id)?.cpuMsPer1kOps;
        const at = `${lr.rate.toLocaleString('en-US')} ops/s`;
        const vc = ratio(cpu, c);
        const vf = ratio(cpu, fs);
        out.push(
          metric(
            `light.${lr.rate}.${id}.vsC`,
            `${at}: ${name} CPU per op vs C${warm}`,
            '<= 2x',
            vc,
            x(vc),
            (v) => v <= 2,
          ),
        );
        out.push(
          metric(
            `light.${lr.rate}.${id}.vsFsWatch`,
            `${at}: ${name} CPU per op vs fs.watch${warm}`,
            '<= 1x',
            vf,
            x(vf),
            (v) => v <= 1,
          ),
        );
      }
    }
    // A figure taken after a warm-up is not compared with one that had none.
    const warmup = ingest.light[0]?.warmupOps ?? 0;
    const lightScale = warmup > 0 ? `${mask}, after ${warmup.toLocaleString('en-US')} warm-up ops` : mask;
    scaled(lightScale);
    const first = ingest.light[0];
    for (const [id, name] of OURS) {
      const p99 = row(first?.rows, id)?.latencyP99Ms ?? null;
      out.push(
        metric(
          `latency.${id}.p99`,
          `latency at ${first?.rate.toLocaleString('en-US') ?? '?'} ops/s: ${name} p99`,
          '<= 1 ms',
          p99,
          p99 === null ? 'n/a' : `${fmt(p99, 3)} ms`,
          (v) => v <= 1,
        ),
      );
    }
    scaled(lightScale);
    for (const [id, name] of OURS.slice(0, 2)) {
      const peak = row(ingest.storm, id)?.peakRssMiB ?? null;
      const over = peak === null ? null : peak - ingest.bareNodeRssMiB;
      out.push(
        metric(
          `memory.${id}.overBareNode`,
          `storm: ${name} peak RSS over bare Node`,
          '<= 10 MiB',
          over,
          over === null ? 'n/a' : `${fmt(over, 1)} MiB`,
          (v) => v <= 10,
        ),
      );
    }
  }
  if (ingest !== undefined) scaled(`${ingest.ops.toLocaleString('en-US')} ops, mask ${maskHex(ingest.mask)}`);
  if (catchUp !== undefined) {
    for (const r of catchUp.rows) {
      const p99 = r.skipped === null ? r.delayP99Ms : null;
      const max = r.skipped === null ? r.delayMaxMs : null;
      const dirs = catchUp.tree.dirs.toLocaleString('en-US');
      out.push(
        metric(
          `loopDelay.${r.kind}.p99`,
          `${dirs} dirs moved in: ${r.kind}() event-loop delay p99`,
          '<= 20 ms',
          p99,
          p99 === null ? 'n/a' : `${fmt(p99, 1)} ms`,
          (v) => v <= 20,
        ),
      );
      out.push(
        metric(
          `loopDelay.${r.kind}.max`,
          `${dirs} dirs moved in: ${r.kind}() event-loop delay max`,
          '(no goal)',
          max,
          max === null ? 'n/a' : `${fmt(max, 1)} ms`,
          null,
        ),
      );
      out.push(
        metric(
          `loopDelay.${r.kind}.catchUpMs`,
          `${dirs} dirs moved in: ${r.kind}() time to catch up`,
          '(no goal)',
          r.catchUpMs,
          r.catchUpMs === null ? 'n/a' : `${fmt(r.catchUpMs, 0)} ms`,
          null,
        ),
      );
    }
  }
  if (catchUp !== undefined) {
    const { dirs, files } = catchUp.tree;
    scaled(
      `${dirs.toLocaleString('en-US')} dirs, ${files.toLocaleString('en-US')} files, mask ${maskHex(catchUp.mask)}`,
    );
  }
  if (tree !== undefined) {
    const treeScale = `${tree.tree.dirs.toLocaleString('en-US')} dirs, ${tree.tree.files.toLocaleString('en-US')} files`;
    const ours = tree.rows.find((r) => r.id === 'inotify-ts' && r.skipped === null);
    const iw = tree.rows.find((r) => r.id === 'inotifywait' && r.skipped === null);
    const v = ratio(ours?.armMs, iw?.armMs);
    const dirs = tree.tree.dirs.toLocaleString('en-US');
    out.push(
      metric(
        'tree.arm.vsInotifywait',
        `arming ${dirs} dirs: InotifyTree time vs inotifywait -r`,
        '<= 0.6x',
        v,
        x(v),
        (r) => r <= 0.6,
      ),
    );
    const rss = ours?.peakRssMiB == null ? null : ours.peakRssMiB - tree.bareNodeRssMiB;
    const saved = before?.metrics['tree.arm.rssOverBareNode'];
    const was = saved?.scale === treeScale ? saved.value : null;
    out.push(
      metric(
        'tree.arm.rssOverBareNode',
        `arming ${dirs} dirs: InotifyTree peak RSS over bare Node`,
        was === null ? 'no higher than before' : `<= before (${fmt(was, 1)} MiB) + 0.5 MiB of noise`,
        rss,
        rss === null ? 'n/a' : `${fmt(rss, 1)} MiB`,
        was === null ? null : (r) => r <= was + 0.5,
      ),
    );
    scaled(treeScale);
  }
  return out;
}

/** The baseline's figure for `m`: its text, or why there is none to compare with. */
function beforeCell(m: Metric, before: Baseline | undefined): string {
  if (before === undefined) return '';
  const saved = before.metrics[m.id];
  if (saved === undefined) return 'n/a';
  return saved.scale === m.scale ? saved.text : `n/a (before: ${saved.scale})`;
}

/** The targets table: goal, the baseline's figure, this run's, and whether the goal is met. */
export function renderTargets(list: readonly Metric[], before: Baseline | undefined): string {
  const rows = list.map((m) => [
    m.label,
    m.goal,
    beforeCell(m, before),
    m.text,
    m.met === null ? '' : m.met ? 'yes' : 'NO',
  ]);
  return renderTable(
    [{ header: 'figure' }, { header: 'goal' }, { header: 'before' }, { header: 'now' }, { header: 'met' }],
    rows,
  );
}

/** The baseline for `list`, to be written as JSON. */
export function toBaseline(list: readonly Metric[], about: Omit<Baseline, 'metrics'>): Baseline {
  return {
    ...about,
    metrics: Object.fromEntries(
      list.map((m) => [
        m.id,
        { value: m.value, text: m.text, scale: m.scale, taken: about.taken, load: about.load },
      ]),
    ),
  };
}

/**
 * Merges the figures of `list` into the baseline in `file` (figures this run did not measure
 * keep their saved value), writes it, and returns it.
 */
export function saveBaseline(
  file: string,
  list: readonly Metric[],
  about: Omit<Baseline, 'metrics'>,
): Baseline {
  let old: Baseline | undefined;
  try {
    old = loadBaseline(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const fresh = toBaseline(
    list.filter((m) => m.value !== null),
    about,
  );
  const merged: Baseline = { ...fresh, metrics: { ...old?.metrics, ...fresh.metrics } };
  writeFileSync(file, `${JSON.stringify(merged, null, 2)}\n`);
  return merged;
}

/** Reads a baseline file; throws with the file named when it is not one. */
export function loadBaseline(file: string): Baseline {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<Baseline>;
  if (typeof parsed !== 'object' || parsed === null || typeof parsed.metrics !== 'object') {
    throw new Error(`${file} is not a bench baseline: it has no "metrics" object`);
  }
  return parsed as Baseline;
}
