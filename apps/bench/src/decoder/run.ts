/**
 * The decoder benchmark (issue 3): `node apps/bench/dist/decoder/run.js [--runs N] [--min-ms N]`.
 *
 * Three decoders on the same kernel-shaped buffers: @inotify-ts/decoder's WebAssembly build,
 * its TypeScript reference decoder, and a naive per-event parser (readUInt32LE + toString).
 * Three workloads: (a) columns only, (b) names from a pool of 1,000, (c) all-unique names.
 * Prints events/s (median of the runs), the spread, and the ratios against naive and reference.
 * Not a test: nothing here passes or fails.
 *
 * Each measurement runs in its own Node process (`--child DECODER WORKLOAD`), as each decoder
 * would in a real program: one decoder's JIT feedback and garbage cannot slow another's.
 * The processes of one run are interleaved (run 1: every workload x decoder, then run 2, ...)
 * so that a load spike on the machine hits all decoders alike.
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createDecoder, createReferenceDecoder, type Decoder } from '@inotify-ts/decoder';
import { median } from '../stats.js';
import { fmtInt, fmtRatio, renderTable } from '../table.js';
import { naiveParse } from './naive.js';
import { columnsOnly, pooledNames, uniqueNames, type Workload } from './workloads.js';

const BUFFER_BYTES = 256 * 1024;
const DECODERS = ['wasm', 'reference', 'naive'] as const;
type DecoderId = (typeof DECODERS)[number];

/**
 * Decodes every buffer of `w` in turn until `minMs` of wall time have passed; returns events
 * per second of CPU time used by the process (`process.cpuUsage()`: user + system, all
 * threads, so garbage collection counts). CPU time, not wall time: on a shared machine other
 * processes' load would otherwise land on whichever decoder happened to run at the time.
 */
type Measure = (w: Workload, minMs: number) => number;

/** CPU seconds (user + system) this process used since `since`. */
function cpuSeconds(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

/** Keeps results observable so that the JIT cannot drop the work. */
let sink = 0;

function decoderMeasure(decoder: Decoder): Measure {
  return (w, minMs) => {
    const inPlace = w.buffers.length === 1;
    if (inPlace) decoder.input.set(w.buffers[0]!);
    let events = 0;
    const cpu = process.cpuUsage();
    const start = performance.now();
    do {
      for (const bytes of w.buffers) {
        if (!inPlace) decoder.input.set(bytes);
        const batch = decoder.decode(bytes.length);
        const { count, wd, mask, cookie, len } = batch;
        let sum = 0; // a local: adding to the module-level `sink` per event would box a double each time
        for (let i = 0; i < count; i++) sum += wd[i]! + mask[i]! + cookie[i]! + len[i]!;
        if (w.names) for (let i = 0; i < count; i++) sum += batch.name(i).length;
        sink += sum;
        events += count;
      }
    } while (performance.now() - start < minMs);
    return events / cpuSeconds(cpu);
  };
}

function naiveMeasure(): Measure {
  const buf = Buffer.alloc(BUFFER_BYTES);
  return (w, minMs) => {
    const inPlace = w.buffers.length === 1;
    if (inPlace) buf.set(w.buffers[0]!);
    let events = 0;
    const cpu = process.cpuUsage();
    const start = performance.now();
    do {
      for (const bytes of w.buffers) {
        if (!inPlace) buf.set(bytes);
        const parsed = naiveParse(buf, bytes.length);
        let sum = 0;
        for (const e of parsed) sum += e.wd + e.mask + e.cookie + e.len;
        if (w.names) for (const e of parsed) sum += e.name.length;
        sink += sum;
        events += parsed.length;
      }
    } while (performance.now() - start < minMs);
    return events / cpuSeconds(cpu);
  };
}

/** All three decoders must agree on every buffer before anything is timed. */
function verify(w: Workload, decoders: Decoder[]): void {
  const buf = Buffer.alloc(BUFFER_BYTES);
  w.buffers.forEach((bytes, k) => {
    buf.set(bytes);
    const expected = naiveParse(buf, bytes.length);
    if (expected.length !== w.counts[k])
      throw new Error(`workload ${w.id}: naive count differs in buffer ${k}`);
    for (const decoder of decoders) {
      decoder.input.set(bytes);
      const batch = decoder.decode(bytes.length);
      if (batch.error !== null || batch.count !== expected.length) {
        throw new Error(`workload ${w.id}: ${decoder.implementation} disagrees on buffer ${k}`);
      }
      expected.forEach((e, i) => {
        const same =
          batch.wd[i] === e.wd &&
          batch.mask[i] === e.mask &&
          batch.cookie[i] === e.cookie &&
          batch.len[i] === e.len &&
          batch.name(i) === e.name;
        if (!same) throw new Error(`workload ${w.id}: ${decoder.implementation} disagrees on event ${i}`);
      });
    }
  });
}

function workload(id: string, bufferCount: number): Workload {
  if (id === 'a') return columnsOnly(BUFFER_BYTES);
  // (b) cycles through 8 buffers of pooled names; (c) through more buffers than the intern
  // table holds (about three buffers' worth), so that no name is ever found in it.
  if (id === 'b') return pooledNames(BUFFER_BYTES, 8);
  if (id === 'c') return uniqueNames(BUFFER_BYTES, bufferCount);
  throw new RangeError(`unknown workload ${id}`);
}

function measureFor(id: DecoderId): Measure {
  if (id === 'naive') return naiveMeasure();
  const decoder =
    id === 'wasm'
      ? createDecoder({ inputBytes: BUFFER_BYTES })
      : createReferenceDecoder({ inputBytes: BUFFER_BYTES });
  if (decoder.implementation !== id)
    throw new Error(`expected the ${id} decoder, got ${decoder.implementation}`);
  return decoderMeasure(decoder);
}

/** A child process: warm up (the wasm code tiers up from Liftoff to TurboFan), measure once, print JSON. */
function child(id: DecoderId, workloadId: string, minMs: number, bufferCount: number): void {
  const w = workload(workloadId, bufferCount);
  const measure = measureFor(id);
  measure(w, 500);
  process.stdout.write(`${JSON.stringify({ eventsPerSecond: measure(w, minMs) })}\n`);
}

function spawnMeasure(id: DecoderId, workloadId: string, minMs: number, bufferCount: number): number {
  const args = [fileURLToPath(import.meta.url), '--child', id, '--workload', workloadId];
  args.push('--min-ms', String(minMs), '--buffers', String(bufferCount));
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (r.status !== 0)
    throw new Error(`child ${id}/${workloadId} failed (${r.status ?? r.signal}): ${r.stderr}`);
  const { eventsPerSecond } = JSON.parse(r.stdout) as { eventsPerSecond: number };
  return eventsPerSecond;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '5' },
      'min-ms': { type: 'string', default: '300' },
      buffers: { type: 'string', default: '32' },
      child: { type: 'string' },
      workload: { type: 'string' },
    },
  });
  const runs = Number(values.runs);
  const minMs = Number(values['min-ms']);
  const bufferCount = Number(values.buffers);
  for (const [name, n] of [
    ['--runs', runs],
    ['--min-ms', minMs],
    ['--buffers', bufferCount],
  ] as const) {
    if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`${name} must be a positive integer`);
  }

  if (values.child !== undefined) {
    if (!(DECODERS as readonly string[]).includes(values.child))
      throw new RangeError(`unknown decoder ${values.child}`);
    child(values.child as DecoderId, values.workload ?? '', minMs, bufferCount);
    return;
  }
  const workloads = (['a', 'b', 'c'] as const).map((id) => workload(id, bufferCount));
  const wasm = createDecoder({ inputBytes: BUFFER_BYTES });
  const reference = createReferenceDecoder({ inputBytes: BUFFER_BYTES });

  const cpu = cpus();
  process.stdout.write(
    `decoder benchmark: ${cpu.length} cores (${cpu[0]?.model ?? 'unknown'}), Node ${process.versions.node}, ` +
      `${BUFFER_BYTES / 1024} KiB reads, median of ${runs} runs of >= ${minMs} ms, ` +
      'each in its own process, runs interleaved; events per second of CPU time\n\n',
  );
  const samples: Record<string, Record<DecoderId, number[]>> = {};
  for (const w of workloads) {
    verify(w, [wasm, reference]);
    const events = w.counts.reduce((a, b) => a + b, 0);
    const bytes = w.buffers.reduce((a, b) => a + b.length, 0);
    process.stderr.write(
      `${w.title}: ${w.buffers.length} buffer(s), ${events} events, ${(bytes / events).toFixed(1)} bytes/event\n`,
    );
    samples[w.id] = { wasm: [], reference: [], naive: [] };
  }
  for (let r = 0; r < runs; r++) {
    process.stderr.write(`run ${r + 1}/${runs}\n`);
    for (const w of workloads) {
      for (const id of DECODERS) samples[w.id]![id].push(spawnMeasure(id, w.id, minMs, bufferCount));
    }
  }
  const rows: string[][] = [];
  const ratios: Record<string, Record<DecoderId, number>> = {};
  for (const w of workloads) {
    const s = samples[w.id]!;
    const med = Object.fromEntries(DECODERS.map((id) => [id, median(s[id])])) as Record<DecoderId, number>;
    ratios[w.id] = med;
    for (const id of DECODERS) {
      rows.push([
        w.title,
        id,
        fmtInt(med[id]),
        `${fmtInt(Math.min(...s[id]))} .. ${fmtInt(Math.max(...s[id]))}`,
        fmtRatio(med[id], med.naive),
        fmtRatio(med[id], med.reference),
      ]);
    }
  }
  process.stdout.write(
    `${renderTable(
      [
        { header: 'workload' },
        { header: 'decoder' },
        { header: 'events/CPU-s (median)', align: 'right' },
        { header: 'min .. max', align: 'right' },
        { header: 'vs naive', align: 'right' },
        { header: 'vs reference', align: 'right' },
      ],
      rows,
    )}\n\n`,
  );
  const target = (label: string, value: number, goal: number) =>
    `- ${label}: ${value.toFixed(2)}x (target >= ${goal}x) ${value >= goal ? 'met' : 'NOT MET'}\n`;
  const a = ratios.a!;
  const b = ratios.b!;
  const c = ratios.c!;
  process.stdout.write(
    'targets (wasm decoder):\n' +
      target('(a) vs naive', a.wasm / a.naive, 10) +
      target('(a) vs reference', a.wasm / a.reference, 2) +
      target('(b) vs naive', b.wasm / b.naive, 4) +
      target('(c) vs naive', c.wasm / c.naive, 1.2),
  );
  if (sink === 0.5) process.stdout.write('\n'); // never true; keeps `sink` live
}

main();
