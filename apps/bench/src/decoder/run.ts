/**
 * The decoder benchmark (issue 3): `node apps/bench/dist/decoder/run.js [--runs N] [--min-ms N]`.
 *
 * Three decoders on the same kernel-shaped buffers: @inotify-ts/decoder's WebAssembly build,
 * its TypeScript reference decoder, and a naive per-event parser (readUInt32LE + toString).
 * Three workloads: (a) columns only, (b) names from a pool of 1,000, (c) all-unique names.
 * Prints events/s (median of the runs, decoders interleaved run by run), the spread, and the
 * ratios against naive and reference. Not a test: nothing here passes or fails.
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { createDecoder, createReferenceDecoder, type Decoder } from '@inotify-ts/decoder';
import { median } from '../stats.js';
import { fmtInt, fmtRatio, renderTable } from '../table.js';
import { naiveParse } from './naive.js';
import { columnsOnly, pooledNames, uniqueNames, type Workload } from './workloads.js';

const BUFFER_BYTES = 256 * 1024;
const DECODERS = ['wasm', 'reference', 'naive'] as const;
type DecoderId = (typeof DECODERS)[number];

/** Decodes every buffer of `w` in turn until `minMs` have passed; returns events per second. */
type Measure = (w: Workload, minMs: number) => number;

/** Keeps results observable so that the JIT cannot drop the work. */
let sink = 0;

function decoderMeasure(decoder: Decoder): Measure {
  return (w, minMs) => {
    const inPlace = w.buffers.length === 1;
    if (inPlace) decoder.input.set(w.buffers[0]!);
    let events = 0;
    const start = performance.now();
    let elapsed = 0;
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
      elapsed = performance.now() - start;
    } while (elapsed < minMs);
    return (events * 1000) / elapsed;
  };
}

function naiveMeasure(): Measure {
  const buf = Buffer.alloc(BUFFER_BYTES);
  return (w, minMs) => {
    const inPlace = w.buffers.length === 1;
    if (inPlace) buf.set(w.buffers[0]!);
    let events = 0;
    const start = performance.now();
    let elapsed = 0;
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
      elapsed = performance.now() - start;
    } while (elapsed < minMs);
    return (events * 1000) / elapsed;
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

function main(): void {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '7' },
      'min-ms': { type: 'string', default: '200' },
      buffers: { type: 'string', default: '32' },
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

  const wasm = createDecoder({ inputBytes: BUFFER_BYTES });
  const reference = createReferenceDecoder({ inputBytes: BUFFER_BYTES });
  if (wasm.implementation !== 'wasm')
    throw new Error(`expected the wasm decoder, got ${wasm.implementation}`);
  const measures: Record<DecoderId, Measure> = {
    wasm: decoderMeasure(wasm),
    reference: decoderMeasure(reference),
    naive: naiveMeasure(),
  };
  // (c) cycles through more buffers than the intern table holds (two buffers' worth), so no
  // name is ever found in it; (b) cycles through 8 buffers of pooled names.
  const workloads = [
    columnsOnly(BUFFER_BYTES),
    pooledNames(BUFFER_BYTES, 8),
    uniqueNames(BUFFER_BYTES, bufferCount),
  ];

  const cpu = cpus();
  process.stdout.write(
    `decoder benchmark: ${cpu.length} cores (${cpu[0]?.model ?? 'unknown'}), Node ${process.versions.node}, ` +
      `${BUFFER_BYTES / 1024} KiB reads, median of ${runs} runs of >= ${minMs} ms each, decoders interleaved\n\n`,
  );
  const rows: string[][] = [];
  const ratios: Record<string, Record<DecoderId, number>> = {};
  for (const w of workloads) {
    verify(w, [wasm, reference]);
    const events = w.counts.reduce((a, b) => a + b, 0);
    const bytes = w.buffers.reduce((a, b) => a + b.length, 0);
    process.stderr.write(
      `${w.title}: ${w.buffers.length} buffer(s), ${events} events, ${(bytes / events).toFixed(1)} bytes/event\n`,
    );
    for (const id of DECODERS) measures[id](w, minMs); // warm-up
    const samples: Record<DecoderId, number[]> = { wasm: [], reference: [], naive: [] };
    for (let r = 0; r < runs; r++) for (const id of DECODERS) samples[id].push(measures[id](w, minMs));
    const med = Object.fromEntries(DECODERS.map((id) => [id, median(samples[id])])) as Record<
      DecoderId,
      number
    >;
    ratios[w.id] = med;
    for (const id of DECODERS) {
      rows.push([
        w.title,
        id,
        fmtInt(med[id]),
        `${fmtInt(Math.min(...samples[id]))} .. ${fmtInt(Math.max(...samples[id]))}`,
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
        { header: 'events/s (median)', align: 'right' },
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
