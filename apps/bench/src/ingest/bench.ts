/**
 * The ingest benchmark (issues 7 and 12): one producer process per run, one consumer process,
 * the consumer's CPU and memory read from /proc, the same way for every consumer. Every consumer
 * watches with the same kernel mask (see mask.ts); what each one really asked the kernel for is
 * read from /proc/<pid>/fdinfo and reported.
 *
 * One measured run of one consumer:
 * 1. a fresh storm directory with the 100 files f00..f99 already there;
 * 2. the consumer is started and says `ready` once its watch is armed; its watch masks and, after
 *    {@link SETTLE_AFTER_READY_MS}, its CPU time are read then;
 * 3. the producer runs (full speed, or paced);
 * 4. the run ends when the consumer says `done` (all expected events seen) or, for consumers
 *    that deliver fewer events, when its CPU time has not grown by {@link IDLE_CPU_MS} in
 *    {@link IDLE_MS}; CPU time and
 *    peak RSS are read then, so neither start-up nor the wait for the stop signal is in them;
 * 5. the stop directory is created, the consumer prints its summary and exits.
 *
 * Sections: the storm (`runs` rounds at full speed), the light rates (paced, CPU per operation
 * and write-to-delivery latency), and the capacity ramp (bisection on the paced rate).
 */
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Child, failure, sleep, start, stop } from '../child.js';
import { inotifywaitIfListed } from '../inotifywait.js';
import {
  IN_CLOSE_WRITE,
  IN_MODIFY,
  IN_OPEN,
  inotifywaitEventArgs,
  maskHex,
  opOrder,
  PEER_MASK,
} from '../mask.js';
import { nativeBinary } from '../native.js';
import { cacheDir } from '../paths.js';
import { cpuMs, inotifyMasks, loadavg, memory, type WatchMask } from '../proc.js';
import { median, medianOrNull, percentile } from '../stats.js';
import type { ConsumerConfig, ConsumerSummary, NodeConsumerKind, OrderSample } from './protocol.js';
import { STOP_NAME, STORM_NAMES } from './protocol.js';
import { type RampResult, ramp } from './ramp.js';
import { Sink } from './sink.js';

/** How long a consumer's CPU time must stay still for the run to count as over. */
export const IDLE_MS = 500;
/**
 * CPU time a consumer may still spend in {@link IDLE_MS} and count as still: timers and helper
 * threads of some peers (chokidar, @parcel/watcher) wake up a few times a second, and CPU time is
 * read to the nanosecond.
 */
export const IDLE_CPU_MS = 2;
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

export const LABELS: Record<IngestConsumerId, string> = {
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

/** Peers whose watch mask is their own, whatever `--mask` says (libuv's, or @parcel/watcher's). */
const OWN_MASK: readonly IngestConsumerId[] = ['fs.watch', 'chokidar', 'parcel'];

/**
 * Consumers that coalesce events per file, so that a ramp step cannot tell whether all arrived:
 * they have no capacity figure. The others deliver every event one by one.
 */
const COALESCING: readonly IngestConsumerId[] = ['chokidar', 'parcel'];
/** Options of {@link runIngest}. */
export interface IngestOptions {
  /** Rounds of the storm. */
  readonly runs: number;
  /** Rounds of each light rate. */
  readonly lightRuns: number;
  /** Producer operations in the full-speed storm. */
  readonly ops: number;
  /** The watch mask of the C floor, inotify-ts and inotifywait. */
  readonly mask: number;
  /** Paced rates (operations/s) of the light-rate runs; latency is reported at the first. */
  readonly lightRates: readonly number[];
  /** Length of a light-rate run in seconds (operations: rate times this). */
  readonly lightSeconds: number;
  /**
   * Operations at the light rate before the measured ones (a multiple of 100, so that the
   * producer's file order carries on): every consumer's one-time costs (its first read, the
   * JIT compiling its code) are spent in them and reported apart.
   */
  readonly lightWarmupOps: number;
  /** Operations per capacity step (0: no capacity ramp). */
  readonly capacityOps: number;
  /** Bisection steps after the unpaced first step. */
  readonly capacitySteps: number;
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
  /** Events the run made for this consumer's mask. */
  readonly expected: number;
  /** IN_Q_OVERFLOW seen; null when the consumer cannot see them. */
  readonly overflows: number | null;
  /** Events out of the producer's order; null when the consumer does not check. */
  readonly orderErrors: number | null;
  /** Consumer CPU (all threads) over the measured operations, ms (after the warm-up, if any). */
  readonly cpuMs: number;
  /** Consumer CPU (all threads) from `ready` through the warm-up operations, ms; null: none. */
  readonly warmupCpuMs: number | null;
  /** VmHWM of the consumer at the end of the run, KiB. */
  readonly peakRssKiB: number;
  /** The producer's own rate during the run, operations per second. */
  readonly producerOpsPerSec: number;
  /** The first events out of order, when there were any. */
  readonly orderSamples: readonly OrderSample[];
  /** How the run ended: all events seen, or the consumer went idle (or the cap was hit). */
  readonly end: 'done' | 'idle' | 'cap';
  /** Write-to-delivery latencies in ms (paced runs of consumers that time deliveries). */
  readonly latencyMs: readonly number[] | null;
  /** The consumer's inotify watches once armed, from /proc/<pid>/fdinfo. */
  readonly watches: readonly WatchMask[];
}

/** Whether a run delivered every expected event, in order (when checked), with no overflow (when seen). */
export function clean(run: Pick<IngestRun, 'events' | 'expected' | 'overflows' | 'orderErrors'>): boolean {
  return run.events === run.expected && (run.overflows ?? 0) === 0 && (run.orderErrors ?? 0) === 0;
}

/** The medians of one consumer over its runs. */
export interface IngestRow {
  readonly id: IngestConsumerId;
  readonly label: string;
  /** Why the consumer was not run, when it was not. */
  readonly skipped: string | null;
  readonly runs: readonly IngestRun[];
  /** Events the run makes for this consumer's mask. */
  readonly expected: number;
  /** Fewest events delivered in any run (the targets are about every event). */
  readonly minEvents: number | null;
  /** Most overflows in any run; null when the consumer cannot see them. */
  readonly maxOverflows: number | null;
  /** Runs in which every expected event arrived; null for consumers that coalesce events. */
  readonly completeRuns: number | null;
  /** Runs with no event out of the producer's order; null when the consumer does not check order. */
  readonly inOrderRuns: number | null;
  /** Runs that saw IN_Q_OVERFLOW; null when the consumer cannot see it. */
  readonly overflowRuns: number | null;
  /**
   * Runs in which every expected event arrived (in order and with no overflow, where the consumer
   * shows them); null for consumers that coalesce (chokidar, @parcel/watcher).
   */
  readonly cleanRuns: number | null;
  /** CPU per 1,000 measured operations (after the warm-up, if any). */
  readonly cpuMsPer1kOps: number | null;
  /** CPU per 1,000 warm-up operations; null when the runs had none. */
  readonly warmupCpuMsPer1kOps: number | null;
  readonly peakRssMiB: number | null;
  readonly producerOpsPerSec: number | null;
  readonly latencyP50Ms: number | null;
  readonly latencyP99Ms: number | null;
  readonly latencyMaxMs: number | null;
}

/** The light-rate runs at one paced rate. */
export interface LightRate {
  readonly rate: number;
  /** Measured operations per run. */
  readonly ops: number;
  /** Warm-up operations before them. */
  readonly warmupOps: number;
  readonly rows: readonly IngestRow[];
}

/** The capacity ramp of one consumer. */
export interface CapacityRow extends Partial<RampResult> {
  readonly id: IngestConsumerId;
  readonly label: string;
  /** Why there is no figure, when there is none. */
  readonly skipped: string | null;
}

/** The kernel watches one consumer holds once armed (from its first storm run). */
export interface MaskRow {
  readonly id: IngestConsumerId;
  readonly label: string;
  readonly watches: readonly WatchMask[] | null;
  /** Events per producer operation for the mask on the storm directory. */
  readonly eventsPerOp: number;
}

/** The whole ingest result. */
export interface IngestResult {
  readonly mask: number;
  readonly ops: number;
  readonly runs: number;
  readonly bareNodeRssMiB: number;
  readonly masks: readonly MaskRow[];
  readonly storm: readonly IngestRow[];
  readonly light: readonly LightRate[];
  readonly capacityOps: number;
  readonly capacity: readonly CapacityRow[];
  /** /proc/loadavg at the end of each section. */
  readonly loads: { readonly storm: string; readonly light: string; readonly capacity: string };
}

interface Mode {
  readonly ops: number;
  /** Operations per second; 0: as fast as the producer goes. */
  readonly rate: number;
  /** Record delivery times of IN_MODIFY against the producer's write times. */
  readonly latency: boolean;
  /** Operations at the same rate before the measured ones, outside the CPU and latency figures. */
  readonly warmupOps: number;
}

/** The events a run in `mode` makes for a consumer whose operations queue `perOp` events each. */
function runEvents(mode: Mode, perOp: number): number {
  return (mode.warmupOps + mode.ops) * perOp;
}

const consumerScript = fileURLToPath(new URL('./consumer.js', import.meta.url));

/** The watch mask a consumer runs with: the peers' own, or the bench's. */
export function consumerMask(id: IngestConsumerId, mask: number): number {
  return OWN_MASK.includes(id) ? PEER_MASK : mask;
}

/** Whether the consumer can time each IN_MODIFY's delivery (it sees them one by one). */
function timesDeliveries(id: IngestConsumerId): boolean {
  return id === 'c' || id === 'fs.watch' || INOTIFY_TS[id] !== undefined;
}

/** Starts a consumer process and waits for it to be armed. */
async function startConsumer(
  id: IngestConsumerId,
  dir: string,
  mode: Mode,
  options: IngestOptions,
  inotifywait: string | null,
  outFile: string,
): Promise<Child> {
  const mask = consumerMask(id, options.mask);
  const order = opOrder(mask);
  const expected = runEvents(mode, order.length);
  // Every IN_MODIFY is timed, the warm-up's too (the bench drops those): one per operation.
  const latency = mode.latency && timesDeliveries(id) ? mode.warmupOps + mode.ops : 0;
  let child: Child;
  if (id === 'c') {
    child = start(nativeBinary('consumer'), [dir, maskHex(mask), String(expected), String(latency)]);
  } else if (id === 'inotifywait') {
    // Every event as one line into a file outside the storm directory; checked after the run.
    const out = openSync(outFile, 'w');
    try {
      child = start(inotifywait!, ['-m', ...inotifywaitEventArgs(mask), '--format', '%e %f', dir], {
        stdio: ['ignore', out, 'pipe'],
      });
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
      mask,
      order,
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
            `${id}-${mode.rate === 0 ? 'storm' : `rate${mode.rate}`}-${process.hrtime.bigint()}.cpuprofile`,
          ];
    child = start(process.execPath, [...prof, consumerScript, JSON.stringify(config)]);
  }
  await child.stdout!.wait((l) => l === 'ready', LINE_TIMEOUT_MS, `${id} ready`);
  return child;
}

/**
 * Waits until the consumer has said `done`, or its CPU time has grown by less than
 * {@link IDLE_CPU_MS} in {@link IDLE_MS} after the producer finished, and returns its CPU time then.
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
    if (cpu - last >= IDLE_CPU_MS) {
      last = cpu;
      lastChange = now;
    } else if (now - lastChange >= IDLE_MS) {
      return { cpu, end: 'idle' };
    }
    if (now - began >= SETTLE_CAP_MS) return { cpu, end: 'cap' };
  }
}

/** inotifywait's `%e` names of the storm's events. */
const INOTIFYWAIT_MASKS: Readonly<Record<string, number>> = {
  OPEN: IN_OPEN,
  MODIFY: IN_MODIFY,
  CLOSE_WRITE: IN_CLOSE_WRITE,
};

/**
 * Checks inotifywait's output lines (`%e %f`) against the producer's order, the stop directory's
 * excluded. inotifywait cannot report overflows: libinotifytools drops IN_Q_OVERFLOW (wd -1)
 * without a line, so a queue overflow shows only as missing events.
 */
export function checkInotifywait(text: string, order: readonly number[], expected: number): ConsumerSummary {
  const sink = new Sink(expected, 0, order, () => {});
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const space = line.indexOf(' ');
    const name = line.slice(space + 1);
    if (name === STOP_NAME) continue;
    const first = line.slice(0, space).split(',')[0]!;
    sink.event(INOTIFYWAIT_MASKS[first] ?? 0, name);
  }
  return sink.summary({ overflows: false, order: true });
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
  const order = opOrder(consumerMask(id, options.mask));
  const expected = runEvents(mode, order.length);
  let child: Child | undefined;
  try {
    child = await startConsumer(id, dir, mode, options, inotifywait, outFile);
    const watches = inotifyMasks(child.pid);
    // Let lazy start-up that follows `ready` (a waiter thread, the first wait) finish, so that
    // the figures are the steady state; the same pause for every consumer.
    await sleep(SETTLE_AFTER_READY_MS);
    let warmupCpuMs: number | null = null;
    if (mode.warmupOps > 0) {
      const before = cpuMs(child.pid);
      await produce(dir, mode.warmupOps, mode.rate, null);
      // Until the consumer has taken the warm-up's events and its CPU time stands still.
      warmupCpuMs = (await settle(child)).cpu - before;
    }
    const cpuStart = cpuMs(child.pid);
    const elapsedNs = await produce(dir, mode.ops, mode.rate, mode.latency ? stampsFile : null);
    const { cpu, end } = await settle(child);
    const { peakKiB } = memory(child.pid);

    let summary: ConsumerSummary;
    if (id === 'inotifywait') {
      await stop(child);
      summary = checkInotifywait(readFileSync(outFile, 'utf8'), order, expected);
    } else {
      mkdirSync(join(dir, STOP_NAME));
      const line = await child.stdout!.wait((l) => l.startsWith('{'), LINE_TIMEOUT_MS, `${id} summary`);
      summary = JSON.parse(line) as ConsumerSummary;
      await child.exited;
    }

    let latencyMs: number[] | null = null;
    if (mode.latency && timesDeliveries(id)) {
      const raw = readFileSync(stampsFile);
      const stamps = new BigInt64Array(raw.buffer, raw.byteOffset, raw.byteLength / 8);
      latencyMs = summary.deliveredNs.slice(mode.warmupOps).map((t, k) => (t - Number(stamps[k]!)) / 1e6);
    }
    return {
      events: summary.events,
      expected,
      overflows: summary.overflows,
      orderErrors: summary.orderErrors,
      orderSamples: summary.orderSamples ?? [],
      cpuMs: cpu - cpuStart,
      warmupCpuMs,
      peakRssKiB: peakKiB,
      producerOpsPerSec: mode.ops / (elapsedNs / 1e9),
      end,
      latencyMs,
      watches,
    };
  } catch (error) {
    throw failure(error, child);
  } finally {
    if (child !== undefined) await stop(child);
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Runs the producer: `ops` operations at `rate` per second (0: full speed) in `dir`, their write
 * times into `stamps` when given. Returns the time it took, ns.
 */
async function produce(dir: string, ops: number, rate: number, stamps: string | null): Promise<number> {
  const producer = start(
    nativeBinary('producer'),
    [dir, String(ops), String(rate), ...(stamps === null ? [] : [stamps])],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const produced = await producer.stdout!.wait((l) => l.startsWith('{'), 600_000, 'producer');
  const { code } = await producer.exited;
  if (code !== 0) throw new Error(`producer exited with status ${code}`);
  return (JSON.parse(produced) as { elapsedNs: number }).elapsedNs;
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

/** The medians of one consumer's runs (pure: the figures of each run in, the row out). */
export function summarize(
  id: IngestConsumerId,
  runs: readonly IngestRun[],
  ops: number,
  expected: number,
  skipped: string | null,
  warmupOps = 0,
): IngestRow {
  const any = runs.length > 0;
  const overflows = runs.map((r) => r.overflows);
  const order = runs.map((r) => r.orderErrors);
  const latency = runs.filter((r) => r.latencyMs !== null && r.latencyMs.length > 0);
  const latencyStat = (p: number) =>
    latency.length === 0 ? null : median(latency.map((r) => percentile(r.latencyMs!, p)));
  const ordered = any && order.every((o) => o !== null);
  return {
    id,
    label: LABELS[id],
    skipped,
    runs,
    expected,
    minEvents: any ? Math.min(...runs.map((r) => r.events)) : null,
    maxOverflows: any && overflows.every((o) => o !== null) ? Math.max(...(overflows as number[])) : null,
    completeRuns: ordered ? runs.filter((r) => r.events === r.expected).length : null,
    inOrderRuns: ordered ? runs.filter((r) => r.orderErrors === 0).length : null,
    overflowRuns:
      any && overflows.every((o) => o !== null) ? runs.filter((r) => (r.overflows ?? 0) > 0).length : null,
    cleanRuns: ordered ? runs.filter(clean).length : null,
    cpuMsPer1kOps: any ? median(runs.map((r) => r.cpuMs / (ops / 1000))) : null,
    warmupCpuMsPer1kOps: medianOrNull(
      runs.map((r) =>
        r.warmupCpuMs === null || warmupOps === 0 ? null : r.warmupCpuMs / (warmupOps / 1000),
      ),
    ),
    peakRssMiB: any ? median(runs.map((r) => r.peakRssKiB / 1024)) : null,
    producerOpsPerSec: medianOrNull(runs.map((r) => r.producerOpsPerSec)),
    latencyP50Ms: latencyStat(50),
    latencyP99Ms: latencyStat(99),
    latencyMaxMs: latencyStat(100),
  };
}

/**
 * Runs the storm for every consumer, `runs` rounds (every consumer once per round, the order
 * rotating so that drift hits all alike), then the light rates, then the capacity ramp.
 */
export async function runIngest(options: IngestOptions): Promise<IngestResult> {
  const { runs, log } = options;
  nativeBinary('producer');
  nativeBinary('consumer');
  const skipped = new Map<IngestConsumerId, string>();
  const inotifywait = inotifywaitIfListed(options.consumers, skipped, log);
  const active = options.consumers.filter((id) => !skipped.has(id));
  const failures = new Map<IngestConsumerId, string[]>();
  const attempt = async (id: IngestConsumerId, mode: Mode, what: string): Promise<IngestRun | null> => {
    const t0 = Date.now();
    try {
      return await runOnce(id, mode, options, inotifywait);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      failures.set(id, [...(failures.get(id) ?? []), reason]);
      log(`${what} ${LABELS[id]}: FAILED after ${Date.now() - t0} ms: ${reason}`);
      return null;
    }
  };
  const why = (id: IngestConsumerId, list: readonly IngestRun[]): string | null => {
    const skip = skipped.get(id);
    if (skip !== undefined) return skip;
    const failed = failures.get(id) ?? [];
    return list.length === 0 && failed.length > 0 ? `every run failed: ${failed[0]}` : null;
  };
  const rounds = async (mode: Mode, count: number, name: string) => {
    const got = new Map<IngestConsumerId, IngestRun[]>(active.map((id) => [id, []]));
    for (let r = 0; r < count; r++) {
      for (let j = 0; j < active.length; j++) {
        const id = active[(j + r) % active.length]!;
        const t0 = Date.now();
        const what = `${name} run ${r + 1}/${count}`;
        const run = await attempt(id, mode, what);
        if (run === null) continue;
        got.get(id)!.push(run);
        const lat = run.latencyMs ?? [];
        log(
          `${what} ${LABELS[id]}: ${run.events.toLocaleString('en-US')}/${run.expected.toLocaleString('en-US')} events, ` +
            `${run.overflows ?? 'n/a'} overflows, ${run.orderErrors ?? 'n/a'} out of order, ` +
            (run.warmupCpuMs === null ? '' : `warm-up cpu ${run.warmupCpuMs.toFixed(1)} ms, `) +
            `cpu ${run.cpuMs.toFixed(1)} ms, producer ${(run.producerOpsPerSec / 1000).toFixed(1)} kops/s, ` +
            (lat.length > 0 ? `p99 ${percentile(lat, 99).toFixed(3)} ms, ` : '') +
            `ended ${run.end} (${Date.now() - t0} ms)`,
        );
        if (run.orderErrors !== null && run.orderErrors > 0 && (run.overflows ?? 0) === 0) {
          log(`  events out of order without an overflow: ${JSON.stringify(run.orderSamples)}`);
        }
      }
    }
    return options.consumers.map((id) => {
      const list = got.get(id) ?? [];
      const expected = runEvents(mode, opOrder(consumerMask(id, options.mask)).length);
      return summarize(id, list, mode.ops, expected, why(id, list), mode.warmupOps);
    });
  };

  const bare: number[] = [];
  for (let r = 0; r < Math.max(1, Math.min(runs, 3)); r++) bare.push(await bareNodeRssKiB());
  const storm = await rounds({ ops: options.ops, rate: 0, latency: false, warmupOps: 0 }, runs, 'storm');
  const stormLoad = loadavg();
  const light: LightRate[] = [];
  for (const rate of options.lightRates) {
    const ops = Math.max(1, Math.round(rate * options.lightSeconds));
    const warmupOps = options.lightWarmupOps;
    const rows = await rounds({ ops, rate, latency: true, warmupOps }, options.lightRuns, `${rate} ops/s`);
    light.push({ rate, ops, warmupOps, rows });
  }
  const lightLoad = loadavg();
  const capacity: CapacityRow[] = [];
  if (options.capacityOps > 0) {
    for (const id of options.consumers) {
      const row = { id, label: LABELS[id] };
      if (COALESCING.includes(id)) {
        capacity.push({ ...row, skipped: 'coalesces events per file: a loss cannot be told from a merge' });
        continue;
      }
      if (!active.includes(id)) {
        capacity.push({ ...row, skipped: skipped.get(id) ?? 'not run' });
        continue;
      }
      try {
        const result = await ramp(async (rate) => {
          const run = await runOnce(
            id,
            { ops: options.capacityOps, rate, latency: false, warmupOps: 0 },
            options,
            inotifywait,
          );
          const ok = clean(run);
          log(
            `capacity ${LABELS[id]}: ${rate === 0 ? 'unpaced' : `${rate} ops/s`}: producer ` +
              `${(run.producerOpsPerSec / 1000).toFixed(1)} kops/s, ${run.events}/${run.expected} events, ` +
              `${run.overflows ?? 'n/a'} overflows: ${ok ? 'kept up' : 'lost events'}`,
          );
          return { achieved: run.producerOpsPerSec, ok };
        }, options.capacitySteps);
        capacity.push({ ...row, skipped: null, ...result });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        log(`capacity ${LABELS[id]}: FAILED: ${reason}`);
        capacity.push({ ...row, skipped: `failed: ${reason}` });
      }
    }
  }
  const masks: MaskRow[] = storm.map((row) => ({
    id: row.id,
    label: row.label,
    watches: row.runs[0]?.watches ?? null,
    eventsPerOp: opOrder(consumerMask(row.id, options.mask)).length,
  }));
  return {
    mask: options.mask,
    ops: options.ops,
    runs,
    bareNodeRssMiB: median(bare) / 1024,
    masks,
    storm,
    light,
    capacityOps: options.capacityOps,
    capacity,
    loads: { storm: stormLoad, light: lightLoad, capacity: loadavg() },
  };
}
