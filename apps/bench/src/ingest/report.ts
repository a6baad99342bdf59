/** The ingest tables, as printed by `pnpm bench` and pasted into the README. */
import { fmt, fmtInt, fmtRatio, renderTable, skipNotes } from '../table.js';
import type { IngestResult, IngestRow } from './bench.js';

function overflowCell(row: IngestRow): string {
  return row.maxOverflows === null ? 'n/a' : fmtInt(row.maxOverflows);
}

function cleanCell(row: IngestRow): string {
  return row.cleanRuns === null ? 'n/a' : `${row.cleanRuns}/${row.runs.length}`;
}

/** The storm table: one row per consumer, CPU ratios against the C consumer. */
export function renderStorm(result: IngestResult): string {
  const floor = result.storm.find((r) => r.id === 'c')?.cpuMsPer1kOps ?? null;
  const rows = result.storm.map((row) =>
    row.skipped !== null
      ? [row.label, 'not measured', '', '', '', '', '', '', '', '']
      : [
          row.label,
          fmtInt(row.minEvents),
          fmtInt(result.expectedEvents),
          overflowCell(row),
          cleanCell(row),
          fmt(row.cpuMsPer1kOps, 2),
          fmtRatio(row.cpuMsPer1kOps, floor),
          fmt(row.peakRssMiB, 1),
          row.peakRssMiB === null ? 'n/a' : fmt(row.peakRssMiB - result.bareNodeRssMiB, 1),
          fmt(row.producerOpsPerSec === null ? null : row.producerOpsPerSec / 1000, 0),
        ],
  );
  rows.push(['bare Node (no watcher)', '', '', '', '', '', '', fmt(result.bareNodeRssMiB, 1), '0.0', '']);
  return (
    renderTable(
      [
        { header: 'consumer' },
        { header: 'events (worst run)', align: 'right' },
        { header: 'expected', align: 'right' },
        { header: 'overflows (worst)', align: 'right' },
        { header: 'complete, in order', align: 'right' },
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

/** The latency table: write-to-delivery percentiles at the paced rate. */
export function renderLatency(result: IngestResult): string {
  const floor = result.latency.find((r) => r.id === 'c')?.cpuMsPer1kOps ?? null;
  const rows = result.latency.map((row) =>
    row.skipped !== null
      ? [row.label, 'not measured', '', '', '', '', '']
      : [
          row.label,
          fmt(row.latencyP50Ms, 3),
          fmt(row.latencyP99Ms, 3),
          fmt(row.latencyMaxMs, 3),
          fmtInt(row.minEvents),
          fmt(row.cpuMsPer1kOps, 2),
          fmtRatio(row.cpuMsPer1kOps, floor),
        ],
  );
  return (
    renderTable(
      [
        { header: 'consumer' },
        { header: 'p50 ms', align: 'right' },
        { header: 'p99 ms', align: 'right' },
        { header: 'max ms', align: 'right' },
        { header: 'events', align: 'right' },
        { header: 'CPU ms / 1k ops', align: 'right' },
        { header: 'vs C', align: 'right' },
      ],
      rows,
    ) + skipNotes(result.latency)
  );
}
