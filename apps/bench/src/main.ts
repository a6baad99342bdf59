/**
 * `pnpm bench [ingest|tree|all] [options]`: the benchmarks of inotify-ts against
 * its peers. Tables go to stdout, progress to stderr. See README.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { parseArgs } from 'node:util';
import { INGEST_CONSUMERS, type IngestConsumerId, type IngestResult, runIngest } from './ingest/bench.js';
import { renderLatency, renderStorm } from './ingest/report.js';
import { cacheDir } from './paths.js';
import { machineBusy } from './proc.js';
import { readProfile } from './profile.js';
import { fmt, renderTable } from './table.js';
import { renderTreeTable, runTree, TREE_TOOLS, type TreeResult, type TreeToolId } from './tree/bench.js';

const USAGE = `usage: pnpm bench [ingest|tree|all] [options]
       pnpm bench profile FILE.cpuprofile... [--top N]

  ingest             event storm: every consumer on the same storm (issue 7)
  tree               arming a recursive watch on a large tree (issue 5)
  all                both (default)
  profile            self time per function of CPU profiles written with --profile

  --runs N           measured runs per consumer/watcher, medians reported (default 5, --quick 1)
  --quick            a smoke run: 1 run, smaller storm and tree
  --json FILE        also write every run's figures to FILE
  --ops N            producer operations in the storm (default 200000, --quick 30000)
  --latency-ops N    operations in the paced latency run (default 2000, --quick 500)
  --rate N           operations per second in the latency run (default 1000)
  --consumers LIST   ingest consumers, comma-separated (${INGEST_CONSUMERS.join(',')})
  --tools LIST       tree watchers, comma-separated (${TREE_TOOLS.join(',')})
  --dirs N           directories in the tree, root included (default 10000, --quick 1000)
  --files N          files in the tree (default 20000, --quick 2000)
  --inotify-options JSON  options for new Inotify() in the inotify-ts ingest consumers,
                     e.g. '{"readBufferBytes":65536}', to measure one lever at a time
  --profile DIR      run the Node ingest consumers with --cpu-prof, profiles into DIR
  --top N            profile: functions listed per file (default 15)
  -h, --help         this text`;

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0)
    fail(`--${name} must be a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

function list<T extends string>(name: string, value: string | undefined, all: readonly T[]): readonly T[] {
  if (value === undefined) return all;
  const items = value.split(',').filter((s) => s !== '');
  for (const item of items) {
    if (!(all as readonly string[]).includes(item))
      fail(`--${name}: unknown ${JSON.stringify(item)}; use ${all.join(',')}`);
  }
  return all.filter((id) => items.includes(id));
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
        quick: { type: 'boolean', default: false },
        json: { type: 'string' },
        ops: { type: 'string' },
        'latency-ops': { type: 'string' },
        rate: { type: 'string' },
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
const runs = positiveInt('runs', values.runs, quick ? 1 : 5);
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
    `${(machine.busyBefore * 100).toFixed(0)}%, ` +
    `work dir ${machine.cacheDir}\n`,
);

let ingest: IngestResult | undefined;
let tree: TreeResult | undefined;

if (command === 'ingest' || command === 'all') {
  const ops = positiveInt('ops', values.ops, quick ? 30_000 : 200_000);
  const latencyOps = positiveInt('latency-ops', values['latency-ops'], quick ? 500 : 2_000);
  const latencyRate = positiveInt('rate', values.rate, 1_000);
  ingest = await runIngest({
    runs,
    ops,
    latencyOps,
    latencyRate,
    consumers: list<IngestConsumerId>('consumers', values.consumers, INGEST_CONSUMERS),
    inotifyOptions: inotifyOptions(values['inotify-options']),
    profileDir: values.profile,
    log,
  });
  process.stdout.write(
    `\n## Ingest: storm of ${ops.toLocaleString('en-US')} operations ` +
      `(${ingest.expectedEvents.toLocaleString('en-US')} events), medians of ${runs} run(s)` +
      `${values['inotify-options'] === undefined ? '' : `, new Inotify(${values['inotify-options']})`}` +
      `\n\n${renderStorm(ingest)}\n`,
  );
  process.stdout.write(
    `\n## Latency: write to delivery at ${latencyRate.toLocaleString('en-US')} operations/s ` +
      `(${latencyOps.toLocaleString('en-US')} operations), medians of ${runs} run(s)\n\n${renderLatency(ingest)}\n`,
  );
}

if (command === 'tree' || command === 'all') {
  const counts = {
    dirs: positiveInt('dirs', values.dirs, quick ? 1_000 : 10_000),
    files: positiveInt('files', values.files, quick ? 2_000 : 20_000),
  };
  tree = await runTree({
    runs,
    tree: counts,
    tools: list<TreeToolId>('tools', values.tools, TREE_TOOLS),
    log,
  });
  process.stdout.write(
    `\n## Tree: arming ${counts.dirs.toLocaleString('en-US')} directories and ` +
      `${counts.files.toLocaleString('en-US')} files, medians of ${runs} run(s)\n\n${renderTreeTable(tree)}\n`,
  );
}

machine.busyAfter = await machineBusy(1000);
process.stdout.write(`\nCPUs busy with other work after the end: ${(machine.busyAfter * 100).toFixed(0)}%\n`);

if (values.json !== undefined) {
  writeFileSync(values.json, `${JSON.stringify({ machine, runs, ingest, tree }, null, 2)}\n`);
  log(`wrote ${values.json}`);
}
