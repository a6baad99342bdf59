import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Baseline, loadBaseline, metrics, renderTargets, saveBaseline } from './targets.js';
import type { TreeResult } from './tree/bench.js';
import type { CatchUpResult } from './tree/loop-delay.js';
import { summarizeCatchUp } from './tree/loop-delay.js';

const report = (delayP99Ms: number) => ({
  caughtUp: true,
  catchUpMs: 300,
  delayP50Ms: 1,
  delayP99Ms,
  delayMaxMs: delayP99Ms + 5,
  delaySamples: 100,
  gapP99Ms: delayP99Ms,
  gapMaxMs: delayP99Ms + 5,
  gaps: 100,
  synthetic: 10,
  expectedSynthetic: 10,
  watches: 5,
  expectedWatches: 5,
  peakRssKiB: 60 * 1024,
  overflows: 0,
});

const catchUp: CatchUpResult = {
  tree: { dirs: 10_000, files: 20_000 },
  mask: 0xfce,
  runs: 3,
  rows: [summarizeCatchUp('events', [report(30), report(10), report(15)], null)],
};

const tree: TreeResult = {
  root: '/t',
  tree: { dirs: 10_000, files: 20_000 },
  bareNodeRssMiB: 40,
  rows: [
    {
      id: 'inotify-ts',
      label: 'InotifyTree',
      skipped: null,
      runs: [],
      armMs: 150,
      spawnToArmedMs: 300,
      watches: 10_000,
      peakRssMiB: 55,
    },
    {
      id: 'inotifywait',
      label: 'inotifywait -r',
      skipped: null,
      runs: [],
      armMs: 300,
      spawnToArmedMs: 300,
      watches: 10_000,
      peakRssMiB: 5,
    },
  ],
};

describe('summarizeCatchUp', () => {
  it('takes the median of each figure over the runs', () => {
    expect(catchUp.rows[0]).toMatchObject({ caughtUp: 3, delayP99Ms: 15, delayMaxMs: 20, peakRssMiB: 60 });
  });
});

describe('metrics', () => {
  it('checks the loop delay p99 against 20 ms and the arming time against 0.6x inotifywait', () => {
    const list = metrics(undefined, tree, catchUp, undefined);
    expect(list.find((m) => m.id === 'loopDelay.events.p99')).toMatchObject({
      value: 15,
      text: '15.0 ms',
      met: true,
    });
    expect(list.find((m) => m.id === 'tree.arm.vsInotifywait')).toMatchObject({
      value: 0.5,
      text: '0.50x',
      met: true,
    });
  });

  it('judges the arming RSS against the baseline, and not at all without one', () => {
    const before: Baseline = {
      taken: 't',
      machine: 'm',
      load: 'l',
      command: 'c',
      metrics: {
        'tree.arm.rssOverBareNode': {
          value: 14,
          text: '14.0 MiB',
          scale: '10,000 dirs, 20,000 files',
          taken: 't',
          load: 'l',
        },
      },
    };
    expect(
      metrics(undefined, tree, undefined, before).find((m) => m.id === 'tree.arm.rssOverBareNode'),
    ).toMatchObject({
      value: 15,
      met: false,
    });
    expect(
      metrics(undefined, tree, undefined, undefined).find((m) => m.id === 'tree.arm.rssOverBareNode')?.met,
    ).toBeNull();
  });
});

describe('renderTargets', () => {
  it('prints the baseline figure beside this run one, n/a where the baseline lacks it', () => {
    const list = metrics(undefined, tree, catchUp, undefined);
    const before: Baseline = {
      taken: 't',
      machine: 'm',
      load: 'l',
      command: 'c',
      metrics: {
        'loopDelay.events.p99': {
          value: 400,
          text: '400.0 ms',
          scale: '10,000 dirs, 20,000 files, mask 0xfce',
          taken: 't',
          load: 'l',
        },
        'tree.arm.vsInotifywait': {
          value: 0.9,
          text: '0.90x',
          scale: '1,000 dirs, 2,000 files',
          taken: 't',
          load: 'l',
        },
      },
    };
    const lines = renderTargets(list, before).split('\n');
    expect(lines.find((l) => l.includes('event-loop delay p99'))).toMatch(
      /\| <= 20 ms\s+\| 400\.0 ms\s+\| 15\.0 ms\s+\| yes \|$/,
    );
    expect(lines.find((l) => l.includes('vs inotifywait'))).toMatch(
      /\| n\/a \(before: 1,000 dirs, 2,000 files\)\s+\| 0\.50x\s+\| yes \|$/,
    );
  });
});

describe('saveBaseline', () => {
  it('merges the figures of a run into the file, keeping those the run did not measure', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-baseline-'));
    try {
      const file = join(dir, 'before.json');
      const about = { taken: '2026-01-01 00:00', machine: 'm', load: '0.1', command: 'pnpm bench tree' };
      saveBaseline(file, metrics(undefined, tree, undefined, undefined), about);
      saveBaseline(file, metrics(undefined, undefined, catchUp, undefined), { ...about, load: '2.0' });
      const saved = loadBaseline(file);
      expect(saved.metrics['tree.arm.vsInotifywait']).toEqual({
        value: 0.5,
        text: '0.50x',
        scale: '10,000 dirs, 20,000 files',
        taken: '2026-01-01 00:00',
        load: '0.1',
      });
      expect(saved.metrics['loopDelay.events.p99']).toMatchObject({ value: 15, load: '2.0' });
      expect(JSON.parse(readFileSync(file, 'utf8')).load).toBe('2.0');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a file that is not a baseline, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-baseline-'));
    try {
      const file = join(dir, 'x.json');
      saveBaseline(file, [], { taken: 't', machine: 'm', load: 'l', command: 'c' });
      expect(loadBaseline(file).metrics).toEqual({});
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, '{}');
      expect(() => loadBaseline(bad)).toThrow(`${bad} is not a bench baseline: it has no "metrics" object`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
