/**
 * Entry point of one event-loop delay run (issue 11): `node catchup.js '<CatchUpConfig JSON>'`.
 *
 * Watches an empty root with `InotifyTree`, consumes it with `events()` or `batches()`, and runs
 * a `setInterval(…, 1)` as a user's application would. Once settled, it renames a prepared tree
 * (made outside the root, same file system) into the root, and measures the event loop with
 * `perf_hooks.monitorEventLoopDelay` and with the interval's own gaps, from right before the
 * rename until the tree has caught up (every directory watched, `watches().size`, and every
 * entry below the moved directory reported by a synthetic event), plus {@link TAIL_MS} for the
 * histogram to record a block that ends the catch-up. Prints one JSON
 * {@link CatchUpReport} line and exits.
 */
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { IN_Q_OVERFLOW, InotifyTree } from '@inotify-ts/inotify';
import { memory } from '../proc.js';

/** argv[2], as JSON. */
export interface CatchUpConfig {
  readonly kind: 'events' | 'batches';
  /** The watched root (empty). */
  readonly root: string;
  /** The prepared tree, moved to `<root>/moved`. */
  readonly staged: string;
  /** Directories in the prepared tree, its top included. */
  readonly dirs: number;
  /** Files in the prepared tree. */
  readonly files: number;
  /** The tree's `mask` option. */
  readonly mask: number;
  /** Give up after this long without catching up, ms. */
  readonly timeoutMs: number;
}

/** The run's one output line. */
export interface CatchUpReport {
  /** Whether the tree caught up (false: the timeout came first; the figures cover until then). */
  readonly caughtUp: boolean;
  /** From right before the rename until caught up, ms. */
  readonly catchUpMs: number;
  /** monitorEventLoopDelay over the catch-up (resolution 1 ms), ms. */
  readonly delayP50Ms: number;
  readonly delayP99Ms: number;
  readonly delayMaxMs: number;
  /** Samples in the histogram (one per 1 ms turn of the loop; one for a whole block). */
  readonly delaySamples: number;
  /** Gaps between the interval's calls over the catch-up, ms (asked: 1 ms). */
  readonly gapP99Ms: number;
  readonly gapMaxMs: number;
  readonly gaps: number;
  /** IN_Q_OVERFLOW records delivered during the catch-up (the tree rescans after each). */
  readonly overflows: number;
  /** Synthetic events delivered, and expected. */
  readonly synthetic: number;
  readonly expectedSynthetic: number;
  /** `watches().size` at the end, and expected (the root and every moved directory). */
  readonly watches: number;
  readonly expectedWatches: number;
  /** VmHWM of this process at the end, KiB. */
  readonly peakRssKiB: number;
}

/** Settling time after the iterator started and before the rename, ms. */
const SETTLE_MS = 300;
/** How long the histogram and the interval's record keep going after the catch-up, ms. */
const TAIL_MS = 20;
/** How often the end condition is checked once every synthetic event has arrived, ms. */
const CHECK_MS = 5;

function percentileOf(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

async function main(config: CatchUpConfig): Promise<CatchUpReport> {
  const tree = new InotifyTree(config.root, { mask: config.mask });
  const expectedWatches = 1 + config.dirs;
  const expectedSynthetic = config.dirs - 1 + config.files;
  let synthetic = 0;
  let overflows = 0;
  const controller = new AbortController();

  // The consumer: counts synthetic events and overflows, as cheap as user code gets.
  const consuming = (async () => {
    if (config.kind === 'events') {
      // IN_Q_OVERFLOW delivered as an event (not thrown): counted, and the tree rescans.
      for await (const event of tree.events({ signal: controller.signal, terminalEvents: [] })) {
        if (event.synthetic === true) synthetic++;
        else if ((event.header.mask & IN_Q_OVERFLOW) !== 0) overflows++;
      }
    } else {
      for await (const batch of tree.batches({ signal: controller.signal })) {
        const column = batch.synthetic;
        if (column !== undefined) for (let i = 0; i < batch.count; i++) synthetic += column[i]!;
        else for (let i = 0; i < batch.count; i++) if ((batch.mask[i]! & IN_Q_OVERFLOW) !== 0) overflows++;
      }
    }
  })().catch((error: unknown) => {
    if ((error as { name?: string }).name !== 'AbortError') throw error;
  });

  // The application: a 1 ms interval, its gaps recorded.
  const gaps: number[] = [];
  let last = performance.now();
  let recording = false;
  const interval = setInterval(() => {
    const now = performance.now();
    if (recording) gaps.push(now - last);
    last = now;
  }, 1);

  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  recording = true;
  last = performance.now();
  const t0 = performance.now();
  renameSync(config.staged, join(config.root, 'moved'));

  const caughtUp = await new Promise<boolean>((resolve) => {
    const deadline = setTimeout(() => resolve(false), config.timeoutMs);
    const check = setInterval(() => {
      if (synthetic >= expectedSynthetic && tree.watches().size >= expectedWatches) {
        clearTimeout(deadline);
        clearInterval(check);
        resolve(true);
      }
    }, CHECK_MS);
  });
  const catchUpMs = performance.now() - t0;
  // The histogram records a delay when its timer fires after it: a block that ends the catch-up
  // is recorded only if the histogram still runs a moment later.
  await new Promise((resolve) => setTimeout(resolve, TAIL_MS));
  histogram.disable();
  recording = false;
  clearInterval(interval);
  const watches = tree.watches().size;
  controller.abort();
  await consuming;
  tree.close();

  const sorted = Float64Array.from(gaps).sort();
  return {
    caughtUp,
    catchUpMs,
    delayP50Ms: histogram.percentile(50) / 1e6,
    delayP99Ms: histogram.percentile(99) / 1e6,
    delayMaxMs: histogram.max / 1e6,
    delaySamples: histogram.count,
    gapP99Ms: percentileOf(sorted, 99),
    gapMaxMs: sorted.length === 0 ? 0 : sorted[sorted.length - 1]!,
    gaps: sorted.length,
    overflows,
    synthetic,
    expectedSynthetic,
    watches,
    expectedWatches,
    peakRssKiB: memory(process.pid).peakKiB,
  };
}

const arg = process.argv[2];
if (arg === undefined) throw new Error('usage: catchup.js <CatchUpConfig JSON>');
const report = await main(JSON.parse(arg) as CatchUpConfig);
// Exit only once the line is written: stdout on a pipe is asynchronous.
process.stdout.write(`${JSON.stringify(report)}\n`, () => process.exit(0));
