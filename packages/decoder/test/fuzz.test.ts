import { describe, expect, it } from 'vitest';
import { EVENT_HEADER_BYTES } from '../src/constants.js';
import type { Decoder } from '../src/decoder.js';
import type { EventBatch } from '../src/index.js';
import { createDecoder, createReferenceDecoder } from '../src/index.js';

/** xorshift32: a fixed seed makes every run the same buffers; a failure prints its seed and case. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

const CAPACITY = 1024;
const RUNS = 100_000;
const SEED = Number(process.env.DECODER_FUZZ_SEED ?? 0x1c0ffee);

/** Writes one buffer of a randomly chosen kind into `into`; returns its byte length. */
function hostileBuffer(next: () => number, into: Uint8Array): number {
  const kind = next() % 6;
  const view = new DataView(into.buffer, into.byteOffset, into.byteLength);
  if (kind === 0) {
    // Random bytes of random length.
    const n = next() % (CAPACITY + 1);
    for (let i = 0; i < n; i++) into[i] = next();
    return n;
  }
  // Kernel-like events (names padded with NUL to a multiple of 16), then damaged.
  let n = 0;
  // 1/4, 2/4 or 3/4 of the events have a name: runs of nameless events take the wasm
  // decoder's four-at-a-time fast path, named ones its chained path.
  const named = 1 + (next() % 3);
  while (n + 16 <= CAPACITY && next() % 5 !== 0) {
    const nameLength = next() % 4 >= named ? 0 : 1 + (next() % (next() % 2 ? 20 : 255));
    const len = nameLength === 0 ? 0 : Math.ceil((nameLength + 1) / 16) * 16;
    if (n + 16 + len > CAPACITY) break;
    view.setInt32(n, next() % 5 === 0 ? -1 : next() % 8, true);
    view.setUint32(n + 4, next(), true);
    view.setUint32(n + 8, next() % 3 === 0 ? next() : 0, true);
    view.setUint32(n + 12, len, true);
    const pool = next() % 3; // 0: few names (interning hits), 1: ASCII, 2: any bytes
    for (let i = 0; i < len; i++) {
      let b = 0;
      if (i < nameLength)
        b = pool === 0 ? 0x61 + (next() % 2) : pool === 1 ? 0x20 + (next() % 95) : next() & 0xff;
      into[n + 16 + i] = b;
    }
    n += 16 + len;
  }
  if (kind === 1 && n > 0) return next() % n; // truncated anywhere
  if (kind === 2 && n >= 16) {
    // A hostile len in some header-sized slot (maybe inside a name).
    const at = (next() % Math.floor(n / 4)) * 4;
    const lens = [
      0xffffffff,
      0x7fffffff,
      0x80000000,
      n - at,
      n - at - 15,
      n - at - 16,
      n - at - 17,
      next() % 300,
    ];
    if (at + 4 <= n) view.setUint32(at, lens[next() % lens.length]! >>> 0, true);
    return n;
  }
  if (kind === 3 && n > 0) {
    // A few random bytes flipped anywhere (headers, names, padding).
    for (let k = next() % 4; k >= 0; k--) {
      const at = next() % n;
      into[at] = into[at]! ^ (1 << (next() % 8));
    }
    return n;
  }
  if (kind === 4 && n > 0) {
    // Garbage after each name's NUL and trailing junk after the last event.
    const extra = Math.min(next() % 40, CAPACITY - n);
    for (let i = 0; i < extra; i++) into[n + i] = next();
    return n + extra;
  }
  return n;
}

function sameBatch(a: EventBatch, b: EventBatch, context: string): void {
  if (a.count !== b.count) throw new Error(`${context}: count ${a.count} != ${b.count}`);
  for (let i = 0; i < a.count; i++) {
    if (
      a.wd[i] !== b.wd[i] ||
      a.mask[i] !== b.mask[i] ||
      a.cookie[i] !== b.cookie[i] ||
      a.len[i] !== b.len[i]
    ) {
      throw new Error(`${context}: event ${i} differs in its header fields`);
    }
    if (a.name(i) !== b.name(i)) throw new Error(`${context}: name ${i} ${a.name(i)} != ${b.name(i)}`);
    const x = a.nameBytes(i);
    const y = b.nameBytes(i);
    if (x.length !== y.length || x.some((v, k) => v !== y[k]))
      throw new Error(`${context}: nameBytes ${i} differ`);
  }
  const e = a.error;
  const f = b.error;
  if (
    (e === null) !== (f === null) ||
    (e !== null &&
      f !== null &&
      (e.code !== f.code ||
        e.offset !== f.offset ||
        e.byteLength !== f.byteLength ||
        e.eventLen !== f.eventLen ||
        e.message !== f.message))
  ) {
    throw new Error(`${context}: errors differ: ${e?.message} / ${f?.message}`);
  }
}

/** The events tile the bytes exactly up to the error (or the end): nothing skipped, nothing invented. */
function tilesTheBuffer(batch: EventBatch, byteLength: number, context: string): void {
  let covered = 0;
  for (let i = 0; i < batch.count; i++) covered += EVENT_HEADER_BYTES + batch.len[i]!;
  const end = batch.error === null ? byteLength : batch.error.offset;
  if (covered !== end) throw new Error(`${context}: events cover ${covered} bytes, expected ${end}`);
  if (batch.error !== null && batch.error.byteLength !== byteLength)
    throw new Error(`${context}: wrong byteLength`);
}

describe('a fuzz run over random, truncated and hostile buffers', () => {
  it(`gives the same events and errors from the wasm and reference decoders for ${RUNS} buffers, never reading past the end`, () => {
    const next = random(SEED);
    const decoders: Decoder[] = [
      createReferenceDecoder({ inputBytes: CAPACITY }),
      createDecoder({ debug: true, inputBytes: CAPACITY }),
      createDecoder({ inputBytes: CAPACITY }),
    ];
    const [reference, ...wasm] = decoders as [Decoder, ...Decoder[]];
    const kinds = { errors: 0, events: 0 };
    for (let run = 0; run < RUNS; run++) {
      const n = hostileBuffer(next, reference.input);
      for (const d of wasm) d.input.set(reference.input.subarray(0, n));
      // Different garbage after the end in each decoder: a read past byteLength would show
      // up as a difference between them.
      for (const d of decoders) for (let i = n; i < Math.min(n + 64, CAPACITY); i++) d.input[i] = next();
      const context = `seed ${SEED} run ${run} (${n} bytes)`;
      const expected = reference.decode(n);
      tilesTheBuffer(expected, n, context);
      for (const d of wasm) sameBatch(d.decode(n), expected, `${context} ${d.implementation}`);
      kinds.events += expected.count;
      if (expected.error) kinds.errors++;
    }
    // The generator must really produce both outcomes in bulk, or the run proves little.
    expect(kinds.errors).toBeGreaterThan(RUNS / 4);
    expect(kinds.events).toBeGreaterThan(RUNS);
  });
});
