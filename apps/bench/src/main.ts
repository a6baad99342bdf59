/**
 * `pnpm bench [ingest|tree|all] [options]`: the benchmarks of inotify-ts against
 * its peers. Tables go to stdout, progress to stderr. See README.md.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { INGEST_CONSUMERS, type IngestConsumerId, type IngestResult, runIngest } from './ingest/bench.js';
import { renderCapacity, renderLatency, renderLight, renderMasks, renderStorm } from './ingest/report.js';
import { maskHex, maskNames, PEER_MASK, parseMask } from './mask.js';
import { cacheDir } from './paths.js';
import { loadavg, machineBusy } from './proc.js';
import { readProfile } from './profile.js';
import { fmt, renderTable } from './table.js';
import { loadBaseline, metrics, renderTargets, saveBaseline } from './targets.js';
import { renderTreeTable, runTree, TREE_TOOLS, type TreeResult, type TreeToolId } from './tree/bench.js';
import {
  CATCH_UP_KINDS,
  type CatchUpKind,
  type CatchUpResult,
  NO_READS_MASK,
  parseCatchUpMask,
  renderCatchUp,
  runCatchUp,
} from './tree/loop-delay.js';

/** The baseline shipped with the bench: the figures before the redesign of issues 11 and 12. */
const DEFAULT_BASELINE = fileURLToPath(new URL('../baseline/before.json', import.meta.url));

const USAGE = `usage: pnpm bench [ingest|tree|all] [options]
       pnpm bench profile FILE.cpuprofile... [--top N]

  ingest             storm, light rates and latency, capacity ramp (issues 7, 12)
  tree               arming a large tree, and the event-loop delay while one moves in (issues 5, 11)
  all                both (default)
  profile            self time per function of CPU profiles written with --profile
  jetstream          events into NATS JetStream end to end, and recovery from a snapshot (issue 15),
                     beside inotifywait and @parcel/watcher: node packages/jetstream/bench/bench.mjs

  --runs N           storm rounds (default 10, --quick 1)
  --repeat N         rounds of the light rates, tree arming and catch-up (default 3, --quick 1)
  --quick            a smoke run: 1 round, smaller storm, shorter runs, 1,000-directory tree
  --mask M           watch mask of the C floor, inotify-ts and inotifywait: peers (default: the
                     peers' own, ${maskHex(PEER_MASK)}), all (IN_ALL_EVENTS) or a number
  --ops N            producer operations in the storm (default 200000, --quick 30000)
  --light-rates LIST paced rates in operations/s, latency at the first (default 1000,20000)
  --light-seconds S  length of each light-rate run (default 3, --quick 1)
  --light-warmup N   operations at each light rate before the measured ones, a multiple of 100;
                     their CPU is reported apart (default 3000, --quick 500; 0: none)
  --capacity-ops N   operations per capacity step, 0 for no ramp (default 200000, --quick 30000)
  --capacity-steps N bisection steps after the unpaced one (default 6, --quick 3)
  --consumers LIST   ingest consumers, comma-separated (${INGEST_CONSUMERS.join(',')})
  --tools LIST       tree watchers, comma-separated (${TREE_TOOLS.join(',')})
  --catchup LIST     catch-up consumers, comma-separated (${CATCH_UP_KINDS.join(',')}); none: skip
  --catchup-mask M   the tree's mask in the catch-up: no-reads (default, ${maskHex(NO_READS_MASK)}), all, or a number
  --dirs N           directories in the tree, root included (default 10000, --quick 1000)
  --files N          files in the tree (default 20000, --quick 2000)
  --baseline FILE    the "before" figures of the targets table (default baseline/before.json; none: no column)
  --save-baseline FILE  write this run's target figures to FILE (merged into it when it exists)
  --json FILE        also write every run's figures to FILE
  --inotify-options JSON  options for new Inotify() in the inotify-ts ingest consumers,
                     e.g. '{"readBufferBytes":65536}', to measure one lever at a time
  --profile DIR      run the Node ingest consumers with --cpu-prof, profiles into DIR
  --top N            profile: functions listed per file (default 15)
  -h, --help         this text`;

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function positiveInt(name: string, value: string | undefined, fallback: number, least = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < least)
    fail(`--${name} must be an integer of at least ${least}, got ${JSON.stringify(value)}`);
  return n;
}

function positiveNumber(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(Number.isFinite(n) && n > 0))
    fail(`--${name} must be a positive number, got ${JSON.stringify(value)}`);
  return n;
}

function list<T extends string>(name: string, value: string | undefined, all: readonly T[]): readonly T[] {
  if (value === undefined) return all;
  if (value === 'none') return [];
  const items = value.split(',').filter((s) => s !== '');
  for (const item of items) {
    if (!(all as readonly string[]).includes(item))
      fail(`--${name}: unknown ${JSON.stringify(item)}; use ${all.join(',')}`);
  }
  return all.filter((id) => items.includes(id));
}

// `pnpm bench jetstream [--events N] [--dirs N] [--runs N]`: the end-to-end JetStream and recovery
// tables of issue 15. They live with @inotify-ts/jetstream (they need its server helper and the NATS
// client); this runs them in a child with the same arguments.
if (process.argv[2] === 'jetstream') {
  const script = fileURLToPath(new URL('../../../packages/jetstream/bench/bench.mjs', import.meta.url));
  const child = spawnSync(process.execPath, [script, ...process.argv.slice(3)], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}

const { values, positionals } = (() => {
  try {
    // `pnpm bench -- --quick` passes the `--` through: drop it rather than read the rest as positionals.
    const args = process.argv.slice(2);
    if (args[0] === '--') args.shift();
    return parseArgs({
      args,
      allowPositionals: true,
      options: {
        runs: { type: 'string' },
        repeat: { type: 'string' },
        mask: { type: 'string' },
        'light-rates': { type: 'string' },
        'light-seconds': { type: 'string' },
        'light-warmup': { type: 'string' },
        'capacity-ops': { type: 'string' },
        'capacity-steps': { type: 'string' },
        catchup: { type: 'string' },
        'catchup-mask': { type: 'string' },
        baseline: { type: 'string' },
        'save-baseline': { type: 'string' },
        quick: { type: 'boolean', default: false },
        json: { type: 'string' },
        ops: { type: 'string' },
        consumers: { type: 'string' },
        tools: { type: 'string' },
        dirs: { type: 'string' },
        files: { type: 'string' },
        profile: { type: 'string' },
        'inotify-options': { type: 'string' },
        top: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    return fail((error as Error).message);
  }
})();

if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (positionals[0] === 'profile') {
  const files = positionals.slice(1);
  if (files.length === 0) fail('profile: name at least one .cpuprofile file');
  const top = positiveInt('top', values.top, 15);
  for (const file of files) {
    const rows = readProfile(file)
      .slice(0, top)
      .map((t) => [t.where, fmt(t.ms, 1), `${fmt(t.share * 100, 1)}%`]);
    const columns = [
      { header: 'function (self time)' },
      { header: 'ms', align: 'right' as const },
      { header: 'busy %', align: 'right' as const },
    ];
    process.stdout.write(`\n${file}\n\n${renderTable(columns, rows)}\n`);
  }
  process.exit(0);
}
if (positionals.length > 1) fail(`one command at most, got ${positionals.join(' ')}`);
const command = positionals[0] ?? 'all';
if (command !== 'ingest' && command !== 'tree' && command !== 'all')
  fail(`unknown command ${JSON.stringify(command)}`);

const quick = values.quick;
const runs = positiveInt('runs', values.runs, quick ? 1 : 10);
const repeat = positiveInt('repeat', values.repeat, quick ? 1 : 3);
const mask = (() => {
  try {
    return parseMask(values.mask);
  } catch (error) {
    return fail((error as Error).message);
  }
})();
const before = (() => {
  const file = values.baseline ?? DEFAULT_BASELINE;
  if (file === 'none') return undefined;
  try {
    return loadBaseline(file);
  } catch (error) {
    if (values.baseline === undefined && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return fail(`--baseline: ${(error as Error).message}`);
  }
})();
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

function maxQueuedEvents(): string {
  try {
    return readFileSync('/proc/sys/fs/inotify/max_queued_events', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

function inotifyOptions(json: string | undefined): Record<string, unknown> | undefined {
  if (json === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    fail(`--inotify-options is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    fail('--inotify-options must be a JSON object, such as {"readBufferBytes":65536}');
  }
  return parsed as Record<string, unknown>;
}

const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  node: process.version,
  kernel: release(),
  maxQueuedEvents: maxQueuedEvents(),
  cacheDir: cacheDir(),
  /** Share of all CPUs busy with other work during the second before the bench started. */
  busyBefore: await machineBusy(1000),
  /** The same during the second after it finished. */
  busyAfter: null as number | null,
  /** /proc/loadavg at the start and at the end (other helpers' tests run on this machine). */
  loadBefore: loadavg(),
  loadAfter: '',
};
if (machine.busyBefore > 0.1) {
  log(
    `other work kept ${(machine.busyBefore * 100).toFixed(0)}% of the CPUs busy before the start: ` +
      'it competes with the producer and the consumers, and the figures suffer',
  );
}
process.stdout.write(
  `machine: ${machine.cpus} x ${machine.cpuModel}, Node ${machine.node}, Linux ${machine.kernel}, ` +
    `max_queued_events ${machine.maxQueuedEvents}, CPUs busy with other work before the start ` +
    `${(machine.busyBefore * 100).toFixed(0)}%, load average ${machine.loadBefore}, ` +
    `work dir ${machine.cacheDir}\n`,
);

let ingest: IngestResult | undefined;
let tree: TreeResult | undefined;
let catchUp: CatchUpResult | undefined;

if (command === 'ingest' || command === 'all') {
  const ops = positiveInt('ops', values.ops, quick ? 30_000 : 200_000);
  const lightRates = (values['light-rates'] ?? '1000,20000')
    .split(',')
    .map((r) => positiveInt('light-rates', r, 0));
  const lightWarmup = positiveInt('light-warmup', values['light-warmup'], quick ? 500 : 3000, 0);
  // The producer cycles over 100 files: a warm-up of whole cycles keeps the order check running on.
  if (lightWarmup % 100 !== 0) fail(`--light-warmup must be a multiple of 100, got ${lightWarmup}`);
  ingest = await runIngest({
    runs,
    lightRuns: repeat,
    ops,
    mask,
    lightRates,
    lightSeconds: positiveNumber('light-seconds', values['light-seconds'], quick ? 1 : 3),
    lightWarmupOps: lightWarmup,
    capacityOps: positiveInt('capacity-ops', values['capacity-ops'], quick ? 30_000 : 200_000, 0),
    capacitySteps: positiveInt('capacity-steps', values['capacity-steps'], quick ? 3 : 6, 0),
    consumers: list<IngestConsumerId>('consumers', values.consumers, INGEST_CONSUMERS),
    inotifyOptions: inotifyOptions(values['inotify-options']),
    profileDir: values.profile,
    log,
  });
  const options =
    values['inotify-options'] === undefined ? '' : `, new Inotify(${values['inotify-options']})`;
  const out = (title: string, body: string) => process.stdout.write(`\n## ${title}\n\n${body}\n`);
  out(
    `Kernel masks: what each consumer asked for (/proc/<pid>/fdinfo), bench mask ${maskHex(mask)} (${maskNames(mask)})`,
    renderMasks(ingest),
  );
  out(
    `Storm: ${ops.toLocaleString('en-US')} operations as fast as the producer goes, ${runs} round(s), medians${options}` +
      ` (load average at its end: ${ingest.loads.storm})`,
    renderStorm(ingest),
  );
  if (ingest.capacity.length > 0) {
    out(
      `Capacity: highest paced rate with nothing lost, ${ingest.capacityOps.toLocaleString('en-US')} operations per step` +
        ` (load average at its end: ${ingest.loads.capacity})`,
      renderCapacity(ingest),
    );
  }
  out(
    `Light rates: CPU per operation ${
      lightWarmup > 0
        ? `once warm (after ${lightWarmup.toLocaleString('en-US')} operations at the rate, whose CPU is the *warm-up* column)`
        : 'from a cold start (no warm-up)'
    }, ${repeat} round(s), medians (load average at their end: ${ingest.loads.light})`,
    renderLight(ingest),
  );
  out(
    `Latency: write to delivery at ${lightRates[0]!.toLocaleString('en-US')} operations/s, ${repeat} round(s), medians`,
    renderLatency(ingest),
  );
}

if (command === 'tree' || command === 'all') {
  const counts = {
    dirs: positiveInt('dirs', values.dirs, quick ? 1_000 : 10_000),
    files: positiveInt('files', values.files, quick ? 2_000 : 20_000),
  };
  tree = await runTree({
    runs: repeat,
    tree: counts,
    tools: list<TreeToolId>('tools', values.tools, TREE_TOOLS),
    log,
  });
  process.stdout.write(
    `\n## Tree: arming ${counts.dirs.toLocaleString('en-US')} directories and ` +
      `${counts.files.toLocaleString('en-US')} files, medians of ${repeat} run(s) (load average at its end: ${loadavg()})` +
      `\n\n${renderTreeTable(tree)}\n`,
  );
  const kinds = list<CatchUpKind>('catchup', values.catchup, CATCH_UP_KINDS);
  if (kinds.length > 0) {
    const catchUpMask = (() => {
      try {
        return parseCatchUpMask(values['catchup-mask']);
      } catch (error) {
        return fail((error as Error).message);
      }
    })();
    catchUp = await runCatchUp({ runs: repeat, tree: counts, kinds, mask: catchUpMask, log });
    process.stdout.write(
      `\n## Event-loop delay: the tree (${counts.dirs.toLocaleString('en-US')} directories) renamed into a ` +
        `watched InotifyTree (mask ${maskHex(catchUpMask)}), a 1 ms interval running, medians of ${repeat} run(s)` +
        ` (load average at its end: ${loadavg()})` +
        `\n\n${renderCatchUp(catchUp)}\n`,
    );
  }
}

const figures = metrics(ingest, tree, catchUp, before);
process.stdout.write(
  `\n## Targets${before === undefined ? '' : `: before = ${before.code ?? 'baseline'}, ${before.taken}, ${before.machine}, ${before.load}`}\n\n` +
    `${renderTargets(figures, before)}\n`,
);

machine.busyAfter = await machineBusy(1000);
machine.loadAfter = loadavg();
process.stdout.write(
  `\nCPUs busy with other work after the end: ${(machine.busyAfter * 100).toFixed(0)}%, ` +
    `load average ${machine.loadAfter}\n`,
);

if (values['save-baseline'] !== undefined) {
  const file = values['save-baseline'];
  saveBaseline(file, figures, {
    taken: new Date().toISOString().slice(0, 16).replace('T', ' '),
    machine: `${machine.cpus} x ${machine.cpuModel}, Node ${machine.node}, Linux ${machine.kernel}`,
    load: `${machine.loadBefore} at the start, ${machine.loadAfter} at the end`,
    command: `pnpm bench ${process.argv.slice(2).join(' ')}`,
  });
  log(`wrote the target figures to ${file}`);
}
if (values.json !== undefined) {
  writeFileSync(
    values.json,
    `${JSON.stringify({ machine, runs, repeat, ingest, tree, catchUp }, null, 2)}\n`,
  );
  log(`wrote ${values.json}`);
}
