/** The ingest tables, as printed by `pnpm bench` and pasted into the README. */
import { maskHex, maskNames } from '../mask.js';
import { fmt, fmtInt, fmtRatio, renderTable, skipNotes } from '../table.js';
import type { CapacityRow, IngestResult, IngestRow, LightRate, MaskRow } from './bench.js';

/** `k/n`, or `n/a` when the figure is not measured for this consumer. */
function outOf(k: number | null, row: IngestRow): string {
  return k === null ? 'n/a' : `${k}/${row.runs.length}`;
}

/** The masks a consumer's watches hold, each with how many watches hold it. */
export function describeWatches(watches: MaskRow['watches']): {
  count: string;
  masks: string;
  names: string;
} {
  if (watches === null) return { count: 'n/a', masks: 'n/a', names: '' };
  const byMask = new Map<number, number>();
  for (const w of watches) byMask.set(w.mask, (byMask.get(w.mask) ?? 0) + 1);
  const masks = [...byMask].map(([m, n]) => (byMask.size === 1 ? maskHex(m) : `${maskHex(m)} (${n})`));
  return {
    count: String(watches.length),
    masks: masks.join(', '),
    names: [...byMask.keys()].map(maskNames).join('; '),
  };
}

/** What each consumer asked the kernel for, read from /proc/<pid>/fdinfo once it was armed. */
export function renderMasks(result: IngestResult): string {
  const rows = result.masks.map((row) => {
    const d = describeWatches(row.watches);
    return [row.label, d.count, d.masks, String(row.eventsPerOp), d.names];
  });
  return renderTable(
    [
      { header: 'consumer' },
      { header: 'watches', align: 'right' },
      { header: 'mask (fdinfo)' },
      { header: 'events / op', align: 'right' },
      { header: 'bits' },
    ],
    rows,
  );
}

/** The storm table: completeness per consumer, CPU against the C consumer, memory over bare Node. */
export function renderStorm(result: IngestResult): string {
  const floor = result.storm.find((r) => r.id === 'c')?.cpuMsPer1kOps ?? null;
  const rows = result.storm.map((row) =>
    row.skipped !== null
      ? [row.label, 'not measured', '', '', '', '', '', '', '', '', '', '']
      : [
          row.label,
          outOf(row.cleanRuns, row),
          outOf(row.completeRuns, row),
          outOf(row.inOrderRuns, row),
          outOf(row.overflowRuns, row),
          fmtInt(row.minEvents),
          fmtInt(row.expected),
          fmt(row.cpuMsPer1kOps, 2),
          fmtRatio(row.cpuMsPer1kOps, floor),
          fmt(row.peakRssMiB, 1),
          row.peakRssMiB === null ? 'n/a' : fmt(row.peakRssMiB - result.bareNodeRssMiB, 1),
          fmt(row.producerOpsPerSec === null ? null : row.producerOpsPerSec / 1000, 0),
        ],
  );
  rows.push([
    'bare Node (no watcher)',
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    fmt(result.bareNodeRssMiB, 1),
    '0.0',
    '',
  ]);
  return (
    renderTable(
      [
        { header: 'consumer' },
        { header: 'clean runs', align: 'right' },
        { header: 'complete', align: 'right' },
        { header: 'in order', align: 'right' },
        { header: 'overflowed', align: 'right' },
        { header: 'events (worst run)', align: 'right' },
        { header: 'expected', align: 'right' },
        { header: 'CPU ms / 1k ops', align: 'right' },
        { header: 'vs C', align: 'right' },
        { header: 'peak RSS MiB', align: 'right' },
        { header: 'over bare Node', align: 'right' },
        { header: 'producer kops/s', align: 'right' },
      ],
      rows,
    ) + skipNotes(result.storm)
  );
}

/** `151.2k` operations/s. */
function kops(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? 'n/a' : `${(rate / 1000).toFixed(1)}k`;
}

/** The ramp's steps, compactly: `top 151.2k lost, 75.6k ok, …`. */
export function describeSteps(steps: CapacityRow['steps']): string {
  return (steps ?? [])
    .map((s) => `${s.rate === 0 ? `top ${kops(s.achieved)}` : kops(s.rate)} ${s.ok ? 'ok' : 'lost'}`)
    .join(', ');
}

/**
 * A consumer's capacity over the C floor's. A capacity bound by the producer is a lower bound:
 * over a C figure found by the ramp the ratio is a lower bound (`>=`); a found capacity over a
 * producer-bound C figure is an upper bound (`<=`); two lower bounds give no ratio.
 */
export function capacityRatio(row: CapacityRow, c: CapacityRow | undefined): string {
  const ratio = fmtRatio(row.capacity ?? null, c?.capacity ?? null);
  if (ratio === 'n/a' || row.id === 'c') return ratio;
  const mineLow = row.bound === 'producer';
  const cLow = c?.bound === 'producer';
  if (mineLow && cLow) return 'both kept up';
  return `${mineLow ? '>= ' : cLow ? '<= ' : ''}${ratio}`;
}

/** The capacity table: the highest paced rate each consumer sustained, against the C floor's. */
export function renderCapacity(result: IngestResult): string {
  const c = result.capacity.find((r) => r.id === 'c');
  const rows = result.capacity.map((row) => {
    if (row.skipped !== null) return [row.label, 'n/a', '', '', '', row.skipped];
    const perOp = result.masks.find((m) => m.id === row.id)?.eventsPerOp ?? 1;
    const at = row.capacity ?? null;
    return [
      row.label,
      row.capacity === null ? 'none' : `${row.bound === 'producer' ? '>= ' : ''}${kops(at)}`,
      at === null ? 'n/a' : kops(at * perOp),
      capacityRatio(row, c),
      row.bound === 'producer' ? 'the producer' : 'the consumer',
      describeSteps(row.steps),
    ];
  });
  return renderTable(
    [
      { header: 'consumer' },
      { header: 'ops/s sustained', align: 'right' },
      { header: 'events/s', align: 'right' },
      { header: 'vs C', align: 'right' },
      { header: 'limited by' },
      { header: 'steps (ops/s asked; top: unpaced)' },
    ],
    rows,
  );
}

/** The light-rate table: CPU per operation at each paced rate, against C and fs.watch. */
export function renderLight(result: IngestResult): string {
  const ids = result.light[0]?.rows.map((r) => r.id) ?? [];
  const cell = (lr: LightRate, id: string): string[] => {
    const row = lr.rows.find((r) => r.id === id)!;
    if (row.skipped !== null) return ['not measured', '', '', '', ...(lr.warmupOps > 0 ? [''] : [])];
    const c = lr.rows.find((r) => r.id === 'c')?.cpuMsPer1kOps ?? null;
    const fs = lr.rows.find((r) => r.id === 'fs.watch')?.cpuMsPer1kOps ?? null;
    return [
      fmt(row.cpuMsPer1kOps, 2),
      fmtRatio(row.cpuMsPer1kOps, c),
      fmtRatio(row.cpuMsPer1kOps, fs),
      ...(lr.warmupOps > 0 ? [fmt(row.warmupCpuMsPer1kOps, 2)] : []),
      outOf(row.completeRuns, row),
    ];
  };
  const rows = ids.map((id) => [
    result.light[0]!.rows.find((r) => r.id === id)!.label,
    ...result.light.flatMap((lr) => cell(lr, id)),
  ]);
  const columns = result.light.flatMap((lr) => {
    const at = `${lr.rate.toLocaleString('en-US')}/s`;
    return [
      { header: `${at} CPU ms / 1k ops`, align: 'right' as const },
      { header: 'vs C', align: 'right' as const },
      { header: 'vs fs.watch', align: 'right' as const },
      ...(lr.warmupOps > 0
        ? [
            {
              header: `warm-up (first ${lr.warmupOps.toLocaleString('en-US')} ops) CPU ms / 1k ops`,
              align: 'right' as const,
            },
          ]
        : []),
      { header: 'complete', align: 'right' as const },
    ];
  });
  return renderTable([{ header: 'consumer' }, ...columns], rows) + skipNotes(result.light[0]?.rows ?? []);
}

/** The latency table: write-to-delivery percentiles at the first light rate. */
export function renderLatency(result: IngestResult): string {
  const lr = result.light[0];
  if (lr === undefined) return '(no light-rate run)';
  const rows = lr.rows
    .filter((row) => row.skipped === null && row.latencyP99Ms !== null)
    .map((row) => [
      row.label,
      fmt(row.latencyP50Ms, 3),
      fmt(row.latencyP99Ms, 3),
      fmt(row.latencyMaxMs, 3),
      fmtInt(row.minEvents),
    ]);
  return renderTable(
    [
      { header: 'consumer' },
      { header: 'p50 ms', align: 'right' },
      { header: 'p99 ms', align: 'right' },
      { header: 'max ms', align: 'right' },
      { header: 'events (worst run)', align: 'right' },
    ],
    rows,
  );
}
