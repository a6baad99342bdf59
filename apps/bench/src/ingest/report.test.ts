import { describe, expect, it } from 'vitest';
import { clean, type IngestResult, type IngestRun, summarize } from './bench.js';
import {
  capacityRatio,
  describeSteps,
  describeWatches,
  renderCapacity,
  renderLight,
  renderStorm,
} from './report.js';

function run(over: Partial<IngestRun> = {}): IngestRun {
  return {
    events: 1000,
    expected: 1000,
    overflows: 0,
    orderErrors: 0,
    cpuMs: 50,
    warmupCpuMs: null,
    peakRssKiB: 50 * 1024,
    producerOpsPerSec: 100_000,
    orderSamples: [],
    end: 'done',
    latencyMs: null,
    watches: [{ wd: 1, mask: 0xfc6 }],
    ...over,
  };
}

describe('clean', () => {
  it('needs every event, no overflow and nothing out of order', () => {
    expect(clean(run())).toBe(true);
    expect(clean(run({ events: 999 }))).toBe(false);
    expect(clean(run({ overflows: 1 }))).toBe(false);
    expect(clean(run({ orderErrors: 2 }))).toBe(false);
  });

  it('counts a consumer that cannot see overflows as clean on its events and order alone', () => {
    expect(clean(run({ overflows: null }))).toBe(true);
  });
});

describe('summarize', () => {
  it('counts complete, in-order, overflowed and clean runs apart, and takes medians', () => {
    const row = summarize(
      'events',
      [run(), run({ events: 990, overflows: 1, cpuMs: 70 }), run({ orderErrors: 3, cpuMs: 60 })],
      1000,
      1000,
      null,
    );
    expect(row).toMatchObject({
      cleanRuns: 1,
      completeRuns: 2,
      inOrderRuns: 2,
      overflowRuns: 1,
      minEvents: 990,
      maxOverflows: 1,
      cpuMsPer1kOps: 60,
      peakRssMiB: 50,
    });
  });

  it('gives null counts for a consumer that coalesces, whose order and overflows are not known', () => {
    const row = summarize(
      'chokidar',
      [run({ events: 10, overflows: null, orderErrors: null })],
      1000,
      1000,
      null,
    );
    expect(row).toMatchObject({ cleanRuns: null, completeRuns: null, inOrderRuns: null, overflowRuns: null });
  });

  it('takes latency percentiles per run, then their median', () => {
    const row = summarize(
      'c',
      [run({ latencyMs: [1, 2, 3, 4] }), run({ latencyMs: [2, 4, 6, 8] }), run({ latencyMs: [3, 3, 3, 3] })],
      1000,
      1000,
      null,
    );
    expect([row.latencyP50Ms, row.latencyP99Ms, row.latencyMaxMs]).toEqual([3, 4, 4]);
  });
});

describe('describeWatches', () => {
  it('gives one mask when every watch has the same, and counts per mask otherwise', () => {
    expect(describeWatches([{ wd: 1, mask: 0xfc6 }]).masks).toBe('0xfc6');
    expect(
      describeWatches([
        { wd: 1, mask: 0xfc6 },
        { wd: 2, mask: 0xfc6 },
        { wd: 3, mask: 0x2 },
      ]),
    ).toEqual({ count: '3', masks: '0xfc6 (2), 0x2 (1)', names: expect.stringContaining('; IN_MODIFY') });
  });
});

describe('describeSteps', () => {
  it('lists the unpaced top, then each rate asked, with whether it kept up', () => {
    expect(
      describeSteps([
        { rate: 0, achieved: 151_234, ok: false },
        { rate: 75_617, achieved: 75_600, ok: true },
      ]),
    ).toBe('top 151.2k lost, 75.6k ok');
  });
});

function rowsWithWarmup() {
  return Object.entries({ c: 20, events: 40, 'fs.watch': 30 }).map(([id, ms]) =>
    summarize(id as 'c', [run({ cpuMs: ms, warmupCpuMs: ms * 3 })], 1000, 3000, null, 2000),
  );
}

function result(): IngestResult {
  const rows = (cpu: Record<string, number>) =>
    Object.entries(cpu).map(([id, ms]) => summarize(id as 'c', [run({ cpuMs: ms })], 1000, 1000, null));
  return {
    mask: 0xfc6,
    ops: 1000,
    runs: 1,
    bareNodeRssMiB: 40,
    masks: [
      { id: 'c', label: 'C floor', watches: [{ wd: 1, mask: 0xfc6 }], eventsPerOp: 1 },
      { id: 'events', label: 'events()', watches: [{ wd: 1, mask: 0xfc6 }], eventsPerOp: 1 },
    ],
    storm: rows({ c: 10, events: 15 }),
    light: [
      { rate: 1000, ops: 1000, warmupOps: 0, rows: rows({ c: 20, events: 40, 'fs.watch': 30 }) },
      { rate: 20000, ops: 1000, warmupOps: 0, rows: rows({ c: 10, events: 30, 'fs.watch': 20 }) },
    ],
    capacityOps: 1000,
    loads: { storm: '0.1 0.1 0.1', light: '0.1 0.1 0.1', capacity: '0.1 0.1 0.1' },
    capacity: [
      { id: 'c', label: 'C floor', skipped: null, capacity: 100_000, bound: 'consumer', steps: [] },
      { id: 'events', label: 'events()', skipped: null, capacity: 70_000, bound: 'consumer', steps: [] },
      { id: 'chokidar', label: 'chokidar 5', skipped: 'coalesces' },
    ],
  };
}

describe('renderStorm', () => {
  it('prints clean runs as k of n, CPU against the C floor and RSS over bare Node', () => {
    const lines = renderStorm(result()).split('\n');
    expect(lines[3]).toMatch(
      /^\| inotify-ts events\(\)\s+\|\s+1\/1 \|\s+1\/1 \|\s+1\/1 \|\s+0\/1 \|.*\|\s+15\.00 \| 1\.50x \|\s+50\.0 \|\s+10\.0 \|/,
    );
    expect(lines.at(-1)).toMatch(/^\| bare Node \(no watcher\)/);
  });
});

describe('renderCapacity', () => {
  it('prints the ratio to the C floor and why a peer has no figure', () => {
    const text = renderCapacity(result());
    expect(text).toMatch(/\| events\(\)\s+\|\s+70\.0k \|\s+70\.0k \| 0\.70x \| the consumer\s+\|/);
    expect(text).toMatch(/\| chokidar 5\s+\|\s+n\/a \|.*\| coalesces/);
  });
});

describe('capacityRatio', () => {
  const c = { id: 'c', label: 'C', skipped: null, capacity: 100_000 } as const;
  const mine = { id: 'events', label: 'events()', skipped: null, capacity: 80_000 } as const;

  it('divides two capacities the ramp found', () => {
    expect(capacityRatio({ ...mine, bound: 'consumer' }, { ...c, bound: 'consumer' })).toBe('0.80x');
  });

  it('marks a lower bound when the consumer kept up with the producer and an upper bound when C did', () => {
    expect(capacityRatio({ ...mine, bound: 'producer' }, { ...c, bound: 'consumer' })).toBe('>= 0.80x');
    expect(capacityRatio({ ...mine, bound: 'consumer' }, { ...c, bound: 'producer' })).toBe('<= 0.80x');
  });

  it('gives no ratio when both kept up with the producer', () => {
    expect(capacityRatio({ ...mine, bound: 'producer' }, { ...c, bound: 'producer' })).toBe('both kept up');
  });
});

describe('renderLight', () => {
  it('prints each rate with CPU per 1k operations against C and against fs.watch', () => {
    const text = renderLight(result());
    expect(text).toMatch(
      /\| inotify-ts events\(\)\s+\|\s+40\.00 \| 2\.00x \|\s+1\.33x \|\s+1\/1 \|\s+30\.00 \| 3\.00x \|\s+1\.50x \|/,
    );
  });

  it('prints the warm-up CPU per 1k of its operations beside the measured figure when the runs had one', () => {
    const base = result();
    // 2,000 warm-up operations that cost three times the measured ms: 1.5 times per 1k.
    const light = [{ rate: 1000, ops: 1000, warmupOps: 2000, rows: rowsWithWarmup() }];
    const text = renderLight({ ...base, light });
    expect(text).toContain('warm-up (first 2,000 ops) CPU ms / 1k ops');
    expect(text).toMatch(
      /\| inotify-ts events\(\)\s+\|\s+40\.00 \| 2\.00x \|\s+1\.33x \|\s+60\.00 \|\s+1\/1 \|/,
    );
  });
});
