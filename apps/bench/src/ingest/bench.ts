/**
 * The ingest benchmark (issue 7): one producer storm per consumer process, the
 * consumer's CPU and memory read from /proc, the same way for every consumer.
 *
 * One measured run of one consumer:
 * 1. a fresh storm directory with the 100 files f00..f99 already there;
 * 2. the consumer is started and says `ready` once its watch is armed; its CPU time
 *    is read then;
 * 3. the producer runs (full speed, or paced for latency);
 * 4. the run ends when the consumer says `done` (all expected events seen) or, for
 *    consumers that deliver fewer events, when its CPU time has not moved for
 *    {@link IDLE_MS}; CPU time and peak RSS are read then, so neither start-up nor
 *    the wait for the stop signal is in the figures;
 * 5. the stop directory is created, the consumer prints its summary and exits.
 */
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Child, failure, sleep, start, stop } from '../child.js';
import { inotifywaitIfListed } from '../inotifywait.js';
import { nativeBinary } from '../native.js';
import { cacheDir } from '../paths.js';
import { cpuMs, memory } from '../proc.js';
import { median, medianOrNull, percentile } from '../stats.js';
import {
  type ConsumerConfig,
  type ConsumerSummary,
  EVENTS_PER_OP,
  type NodeConsumerKind,
  type OrderSample,
  STOP_NAME,
  STORM_NAMES,
} from './protocol.js';

/** How long a consumer's CPU time must stay still for the run to count as over. */
export const IDLE_MS = 500;
/** Pause between `ready` and the producer's start. */
export const SETTLE_AFTER_READY_MS = 200;
/** Longest wait for a consumer to finish after the producer has. */
const SETTLE_CAP_MS = 120_000;
/** Longest wait for `ready` or for the summary. */
const LINE_TIMEOUT_MS = 60_000;

/**
 * The read-delay lever: the inotify-ts consumers again, with `readDelayMs` (events pile up in the
 * kernel queue between reads, so that one read carries many), as rows of their own.
 */
export const READ_DELAY_MS = 5;

/** The consumers, in table order. */
export const INGEST_CONSUMERS = [
  'c',
  'batches',
  'events',
  'eventGen',
  'batches-delay',
  'events-delay',
  'eventGen-delay',
  'inotifywait',
  'fs.watch',
  'chokidar',
  'parcel',
] as const;

/** One of {@link INGEST_CONSUMERS}. */
export type IngestConsumerId = (typeof INGEST_CONSUMERS)[number];

const LABELS: Record<IngestConsumerId, string> = {
  c: 'C floor (poll + 64 KiB read)',
  batches: 'inotify-ts batches()',
  events: 'inotify-ts events()',
  eventGen: 'inotify-ts eventGen()',
  'batches-delay': `inotify-ts batches(), readDelayMs ${READ_DELAY_MS}`,
  'events-delay': `inotify-ts events(), readDelayMs ${READ_DELAY_MS}`,
  'eventGen-delay': `inotify-ts eventGen(), readDelayMs ${READ_DELAY_MS}`,
  inotifywait: 'inotifywait -m',
  'fs.watch': 'fs.watch',
  chokidar: 'chokidar 5',
  parcel: '@parcel/watcher 2',
};

/** The consumer program and extra `Inotify` options behind each inotify-ts row. */
const INOTIFY_TS: Partial<Record<IngestConsumerId, { kind: NodeConsumerKind; options: object }>> = {
  batches: { kind: 'batches', options: {} },
  events: { kind: 'events', options: {} },
  eventGen: { kind: 'eventGen', options: {} },
  'batches-delay': { kind: 'batches', options: { readDelayMs: READ_DELAY_MS } },
  'events-delay': { kind: 'events', options: { readDelayMs: READ_DELAY_MS } },
  'eventGen-delay': { kind: 'eventGen', options: { readDelayMs: READ_DELAY_MS } },
};

/** Consumers that record delivery times in latency mode. */
const LATENCY_CONSUMERS: readonly IngestConsumerId[] = [
  'c',
  ...(Object.keys(INOTIFY_TS) as IngestConsumerId[]),
];

/** Options of {@link runIngest}. */
export interface IngestOptions {
  /** Measured runs per consumer. */
  readonly runs: number;
  /** Producer operations in the full-speed storm. */
  readonly ops: number;
  /** Producer operations in the latency run (paced at {@link latencyRate}). */
  readonly latencyOps: number;
  /** Operations per second in the latency run. */
  readonly latencyRate: number;
  /** Consumers to run (default: all). */
  readonly consumers: readonly IngestConsumerId[];
  /** Options for `new Inotify(…)` in the inotify-ts consumers. */
  readonly inotifyOptions: Readonly<Record<string, unknown>> | undefined;
  /** When set, Node consumers run with --cpu-prof writing into this directory. */
  readonly profileDir: string | undefined;
  /** Progress line on stderr. */
  readonly log: (line: string) => void;
}

/** What one run of one consumer measured. */
export interface IngestRun {
  /** Events that reached user code. */
  readonly events: number;
  /** IN_Q_OVERFLOW seen; null when the consumer cannot see them. */
  readonly overflows: number | null;
  /** Events out of the producer's order; null when the consumer does not check. */
  readonly orderErrors: number | null;
  /** Consumer CPU (user + sys) from `ready` to the end of the run, ms. */
  readonly cpuMs: number;
  /** VmHWM of the consumer at the end of the run, KiB. */
  readonly peakRssKiB: number;
  /** The producer's own rate during the run, operations per second. */
  readonly producerOpsPerSec: number;
  /** The first events out of order, when there were any. */
  readonly orderSamples: readonly OrderSample[];
  /** How the run ended: all events seen, or the consumer went idle (or the cap was hit). */
  readonly end: 'done' | 'idle' | 'cap';
  /** Write-to-delivery latencies in ms (latency mode only). */
  readonly latencyMs: readonly number[] | null;
}

/** The medians of one consumer over its runs. */
export interface IngestRow {
  readonly id: IngestConsumerId;
  readonly label: string;
  /** Why the consumer was not run, when it was not. */
  readonly skipped: string | null;
  readonly runs: readonly IngestRun[];
  /** Fewest events delivered in any run (the targets are about every event). */
  readonly minEvents: number | null;
  /** Most overflows in any run; null when the consumer cannot see them. */
  readonly maxOverflows: number | null;
  /**
   * Runs in which every expected event arrived, in order, with no overflow; null
   * when the consumer does not check order.
   */
  readonly cleanRuns: number | null;
  readonly cpuMsPer1kOps: number | null;
  readonly peakRssMiB: number | null;
  readonly producerOpsPerSec: number | null;
  readonly latencyP50Ms: number | null;
  readonly latencyP99Ms: number | null;
  readonly latencyMaxMs: number | null;
}

/** The whole ingest result: storm and latency tables, and the bare Node baseline. */
export interface IngestResult {
  readonly ops: number;
  readonly expectedEvents: number;
  readonly latencyOps: number;
  readonly latencyRate: number;
  readonly bareNodeRssMiB: number;
  readonly storm: readonly IngestRow[];
  readonly latency: readonly IngestRow[];
}

interface Mode {
  readonly ops: number;
  readonly rate: number;
  /** Record delivery times (latency mode). */
  readonly latency: boolean;
}

const consumerScript = fileURLToPath(new URL('./consumer.js', import.meta.url));

/** Starts a consumer process and waits for it to be armed. */
async function startConsumer(
  id: IngestConsumerId,
  dir: string,
  mode: Mode,
  options: IngestOptions,
  inotifywait: string | null,
  outFile: string,
): Promise<Child> {
  const expected = mode.ops * EVENTS_PER_OP;
  const latency = mode.latency ? mode.ops : 0;
  let child: Child;
  if (id === 'c') {
    child = start(nativeBinary('consumer'), [dir, String(expected), String(latency)]);
  } else if (id === 'inotifywait') {
    // Every event as one line into a file outside the storm directory; counted after the run.
    const out = openSync(outFile, 'w');
    try {
      child = start(inotifywait!, ['-m', '--format', '%e %f', dir], { stdio: ['ignore', out, 'pipe'] });
    } finally {
      closeSync(out);
    }
    await child.stderr!.wait((l) => l.includes('Watches established.'), LINE_TIMEOUT_MS, 'inotifywait');
    return child;
  } else {
    const inotifyTs = INOTIFY_TS[id];
    const inotifyOptions = { ...inotifyTs?.options, ...options.inotifyOptions };
    const config: ConsumerConfig = {
      kind: inotifyTs?.kind ?? (id as NodeConsumerKind),
      dir,
      expected,
      latency,
      ...(Object.keys(inotifyOptions).length === 0 ? {} : { inotifyOptions }),
    };
    const prof =
      options.profileDir === undefined
        ? []
        : [
            '--cpu-prof',
            '--cpu-prof-dir',
            options.profileDir,
            '--cpu-prof-name',
            `${id}-${mode.latency ? 'latency' : 'storm'}-${process.hrtime.bigint()}.cpuprofile`,
          ];
    child = start(process.execPath, [...prof, consumerScript, JSON.stringify(config)]);
  }
  await child.stdout!.wait((l) => l === 'ready', LINE_TIMEOUT_MS, `${id} ready`);
  return child;
}

/**
 * Waits until the consumer has said `done`, or its CPU time has stayed still for
 * {@link IDLE_MS} after the producer finished, and returns its CPU time then.
 */
async function settle(child: Child): Promise<{ cpu: number; end: IngestRun['end'] }> {
  const isDone = (l: string) => l === 'done';
  const began = Date.now();
  const sample = (pid: number): number => {
    try {
      return cpuMs(pid);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      throw new Error('the consumer exited before the run ended');
    }
  };
  let last = sample(child.pid);
  let lastChange = Date.now();
  for (;;) {
    if (child.proc.exitCode !== null || child.proc.signalCode !== null) {
      throw new Error(
        `the consumer exited (${child.proc.exitCode ?? child.proc.signalCode}) before the run ended`,
      );
    }
    if (child.stdout?.has(isDone)) return { cpu: sample(child.pid), end: 'done' };
    await sleep(20);
    const now = Date.now();
    const cpu = sample(child.pid);
    if (cpu !== last) {
      last = cpu;
      lastChange = now;
    } else if (now - lastChange >= IDLE_MS) {
      return { cpu, end: 'idle' };
    }
    if (now - began >= SETTLE_CAP_MS) return { cpu, end: 'cap' };
  }
}

/**
 * Counts inotifywait's output lines, the stop directory's excluded. inotifywait
 * cannot report overflows: libinotifytools drops IN_Q_OVERFLOW (wd -1) without a
 * line, so a queue overflow shows only as missing events.
 */
function countInotifywait(outFile: string): number {
  let events = 0;
  for (const line of readFileSync(outFile, 'utf8').split('\n')) {
    if (line !== '' && !line.endsWith(` ${STOP_NAME}`)) events++;
  }
  return events;
}

/** One run of one consumer. */
async function runOnce(
  id: IngestConsumerId,
  mode: Mode,
  options: IngestOptions,
  inotifywait: string | null,
): Promise<IngestRun> {
  const root = join(cacheDir(), 'runs');
  mkdirSync(root, { recursive: true });
  const work = mkdtempSync(join(root, `${id.replace(/\W/g, '')}-`));
  const dir = join(work, 'storm');
  mkdirSync(dir);
  for (const name of STORM_NAMES) writeFileSync(join(dir, name), 'x');
  const stampsFile = join(work, 'stamps.bin');
  const outFile = join(work, 'inotifywait.out');
  let child: Child | undefined;
  try {
    child = await startConsumer(id, dir, mode, options, inotifywait, outFile);
    // Let lazy start-up that follows `ready` (a waiter thread, the first wait) finish, so that
    // the figures are the steady state; the same pause for every consumer.
    await sleep(SETTLE_AFTER_READY_MS);
    const cpuStart = cpuMs(child.pid);
    const producer = start(
      nativeBinary('producer'),
      [dir, String(mode.ops), String(mode.rate), ...(mode.latency ? [stampsFile] : [])],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const produced = await producer.stdout!.wait((l) => l.startsWith('{'), 600_000, 'producer');
    const { code } = await producer.exited;
    if (code !== 0) throw new Error(`producer exited with status ${code}`);
    const { elapsedNs } = JSON.parse(produced) as { elapsedNs: number };
    const { cpu, end } = await settle(child);
    const { peakKiB } = memory(child.pid);

    let summary: ConsumerSummary;
    if (id === 'inotifywait') {
      await stop(child);
      const events = countInotifywait(outFile);
      summary = { events, overflows: null, orderErrors: null, firstOrderError: -1, deliveredNs: [] };
    } else {
      mkdirSync(join(dir, STOP_NAME));
      const line = await child.stdout!.wait((l) => l.startsWith('{'), LINE_TIMEOUT_MS, `${id} summary`);
      summary = JSON.parse(line) as ConsumerSummary;
      await child.exited;
    }

    let latencyMs: number[] | null = null;
    if (mode.latency) {
      const raw = readFileSync(stampsFile);
      const stamps = new BigInt64Array(raw.buffer, raw.byteOffset, raw.byteLength / 8);
      latencyMs = summary.deliveredNs.map((t, k) => (t - Number(stamps[k]!)) / 1e6);
    }
    return {
      events: summary.events,
      overflows: summary.overflows,
      orderErrors: summary.orderErrors,
      orderSamples: summary.orderSamples ?? [],
      cpuMs: cpu - cpuStart,
      peakRssKiB: peakKiB,
      producerOpsPerSec: mode.ops / (elapsedNs / 1e9),
      end,
      latencyMs,
    };
  } catch (error) {
    throw failure(error, child);
  } finally {
    if (child !== undefined) await stop(child);
    rmSync(work, { recursive: true, force: true });
  }
}

/** Peak RSS of a Node process that loads nothing, KiB. */
export async function bareNodeRssKiB(): Promise<number> {
  const child = start(process.execPath, [
    '-e',
    "process.stdout.write('ready\\n'); setInterval(() => {}, 1e6);",
  ]);
  try {
    await child.stdout!.wait((l) => l === 'ready', LINE_TIMEOUT_MS, 'bare node');
    await sleep(200);
    return memory(child.pid).peakKiB;
  } finally {
    await stop(child);
  }
}

function summarize(
  id: IngestConsumerId,
  runs: readonly IngestRun[],
  ops: number,
  skipped: string | null,
): IngestRow {
  const expected = ops * EVENTS_PER_OP;
  const any = runs.length > 0;
  const overflows = runs.map((r) => r.overflows);
  const order = runs.map((r) => r.orderErrors);
  const latency = runs.filter((r) => r.latencyMs !== null && r.latencyMs.length > 0);
  const latencyStat = (p: number) =>
    latency.length === 0 ? null : median(latency.map((r) => percentile(r.latencyMs!, p)));
  return {
    id,
    label: LABELS[id],
    skipped,
    runs,
    minEvents: any ? Math.min(...runs.map((r) => r.events)) : null,
    maxOverflows: any && overflows.every((o) => o !== null) ? Math.max(...(overflows as number[])) : null,
    cleanRuns:
      any && order.every((o) => o !== null)
        ? runs.filter((r) => r.orderErrors === 0 && r.overflows === 0 && r.events === expected).length
        : null,
    cpuMsPer1kOps: any ? median(runs.map((r) => r.cpuMs / (ops / 1000))) : null,
    peakRssMiB: any ? median(runs.map((r) => r.peakRssKiB / 1024)) : null,
    producerOpsPerSec: medianOrNull(runs.map((r) => r.producerOpsPerSec)),
    latencyP50Ms: latencyStat(50),
    latencyP99Ms: latencyStat(99),
    latencyMaxMs: latencyStat(100),
  };
}

/**
 * Runs the storm for every consumer, `runs` times, interleaved (run 1 of every
 * consumer, then run 2, …, in a rotating order so drift hits all alike), then the
 * latency runs for the consumers that record delivery times.
 */
export async function runIngest(options: IngestOptions): Promise<IngestResult> {
  const { runs, log } = options;
  nativeBinary('producer');
  nativeBinary('consumer');
  const skipped = new Map<IngestConsumerId, string>();
  const inotifywait = inotifywaitIfListed(options.consumers, skipped, log);
  const active = options.consumers.filter((id) => !skipped.has(id));
  const storm: Mode = { ops: options.ops, rate: 0, latency: false };
  const paced: Mode = { ops: options.latencyOps, rate: options.latencyRate, latency: true };
  const latencyActive = active.filter((id) => LATENCY_CONSUMERS.includes(id));

  const stormRuns = new Map<IngestConsumerId, IngestRun[]>(active.map((id) => [id, []]));
  const latencyRuns = new Map<IngestConsumerId, IngestRun[]>(latencyActive.map((id) => [id, []]));
  const failures = new Map<IngestConsumerId, string[]>();
  const attempt = async (
    id: IngestConsumerId,
    mode: Mode,
    into: Map<IngestConsumerId, IngestRun[]>,
    what: string,
  ) => {
    const t0 = Date.now();
    try {
      const run = await runOnce(id, mode, options, inotifywait);
      into.get(id)!.push(run);
      return run;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      failures.set(id, [...(failures.get(id) ?? []), reason]);
      log(`${what} ${LABELS[id]}: FAILED after ${Date.now() - t0} ms: ${reason}`);
      return null;
    }
  };
  const bare: number[] = [];
  for (let r = 0; r < runs; r++) {
    bare.push(await bareNodeRssKiB());
    for (let j = 0; j < active.length; j++) {
      const id = active[(j + r) % active.length]!;
      const t0 = Date.now();
      const what = `ingest run ${r + 1}/${runs}`;
      const run = await attempt(id, storm, stormRuns, what);
      if (run === null) continue;
      log(
        `${what} ${LABELS[id]}: ${run.events.toLocaleString('en-US')} events, ` +
          `${run.overflows ?? 'n/a'} overflows, cpu ${run.cpuMs.toFixed(0)} ms, ` +
          `producer ${(run.producerOpsPerSec / 1000).toFixed(0)} kops/s, ended ${run.end} (${Date.now() - t0} ms)`,
      );
      if (run.orderErrors !== null && run.orderErrors > 0 && (run.overflows ?? 0) === 0) {
        log(
          `  ${run.orderErrors} events out of order without an overflow: ${JSON.stringify(run.orderSamples)}`,
        );
      }
    }
    for (let j = 0; j < latencyActive.length; j++) {
      const id = latencyActive[(j + r) % latencyActive.length]!;
      const what = `latency run ${r + 1}/${runs}`;
      const run = await attempt(id, paced, latencyRuns, what);
      const lat = run?.latencyMs ?? [];
      if (lat.length === 0) continue;
      log(
        `${what} ${LABELS[id]}: ${lat.length} samples, ` +
          `p50 ${percentile(lat, 50).toFixed(3)} ms p99 ${percentile(lat, 99).toFixed(3)} ms`,
      );
    }
  }
  const why = (id: IngestConsumerId, list: readonly IngestRun[]): string | null => {
    const skip = skipped.get(id);
    if (skip !== undefined) return skip;
    const failed = failures.get(id) ?? [];
    return list.length === 0 && failed.length > 0 ? `every run failed: ${failed[0]}` : null;
  };
  const rows = (ids: readonly IngestConsumerId[], map: Map<IngestConsumerId, IngestRun[]>, ops: number) =>
    ids.map((id) => summarize(id, map.get(id) ?? [], ops, why(id, map.get(id) ?? [])));
  return {
    ops: options.ops,
    expectedEvents: options.ops * EVENTS_PER_OP,
    latencyOps: options.latencyOps,
    latencyRate: options.latencyRate,
    bareNodeRssMiB: median(bare) / 1024,
    storm: rows(options.consumers, stormRuns, options.ops),
    latency: rows(
      options.consumers.filter((id) => LATENCY_CONSUMERS.includes(id)),
      latencyRuns,
      options.latencyOps,
    ),
  };
}
