import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EVENT_HEADER_BYTES, IN_ISDIR, IN_Q_OVERFLOW } from '../src/constants.js';
import { createDecoder, createReferenceDecoder } from '../src/index.js';
import { decodeBytes, type EventSpec, encodeEvents, paddedLength, summary } from './events.js';

const nameChars = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABC0123456789._-~ é😀'.split(''));
/** Names as the kernel gives them: 1..255 bytes without NUL or '/', UTF-8 or not. */
const nameBytes = fc.oneof(
  fc
    .string({ unit: nameChars, minLength: 1, maxLength: 60 })
    .map((s) => new TextEncoder().encode(s).subarray(0, 255))
    .filter((b) => b.length > 0),
  fc
    .uint8Array({ minLength: 1, maxLength: 255 })
    .map((b) => b.map((x) => (x === 0 || x === 0x2f ? 0x41 : x))),
  fc.constantFrom(
    ...['x', 'file.txt', '.#file.txt', 'file.txt~', '4913'].map((s) => new TextEncoder().encode(s)),
  ),
);
const event: fc.Arbitrary<EventSpec> = fc.record({
  wd: fc.oneof(
    fc.integer({ min: 1, max: 64 }),
    fc.constant(-1),
    fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  ),
  mask: fc.oneof(
    fc.constantFrom(0x100, 0x2, 0x8, 0x20, 0x40, 0x80, IN_Q_OVERFLOW, 0x100 | IN_ISDIR),
    fc.integer({ min: 0, max: 0xffffffff }),
  ),
  cookie: fc.integer({ min: 0, max: 0xffffffff }),
  name: fc.option(nameBytes, { nil: undefined, freq: 4 }),
});
/** A valid buffer: kernel padding, or any len from the name's length up (trailing bytes after its NUL). */
const eventWithLen = fc
  .tuple(event, fc.nat({ max: 40 }), fc.boolean())
  .map(([e, extra, kernelPadded]): EventSpec => {
    const n = e.name?.length ?? 0;
    return kernelPadded ? e : { ...e, len: n === 0 ? extra : n + extra };
  });

describe('the wasm decoder against the reference decoder', () => {
  it('gives identical batches for random valid buffers', () => {
    // Small inputs and long-lived decoders: the intern table fills and resets many times.
    const wasm = createDecoder({ debug: true, inputBytes: 2048 });
    const release = createDecoder({ inputBytes: 2048 });
    const reference = createReferenceDecoder({ inputBytes: 2048 });
    fc.assert(
      fc.property(fc.array(eventWithLen, { maxLength: 40 }), (events) => {
        let bytes = encodeEvents(events);
        if (bytes.length > 2048) bytes = encodeEvents(events.slice(0, 6));
        fc.pre(bytes.length <= 2048);
        const expected = summary(decodeBytes(reference, bytes));
        expect(expected.error).toBeNull();
        expect(summary(decodeBytes(wasm, bytes))).toEqual(expected);
        expect(summary(decodeBytes(release, bytes))).toEqual(expected);
      }),
      { numRuns: 1500 },
    );
  });

  it('decodes exactly the events that were encoded', () => {
    const wasm = createDecoder({ debug: true });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 30 }), (events) => {
        const batch = decodeBytes(wasm, encodeEvents(events));
        expect(batch.error).toBeNull();
        expect(batch.count).toBe(events.length);
        events.forEach((e, i) => {
          const name = (e.name ?? new Uint8Array()) as Uint8Array; // the generator makes bytes
          expect(batch.wd[i]).toBe(e.wd);
          expect(batch.mask[i]).toBe(e.mask >>> 0);
          expect(batch.cookie[i]).toBe(e.cookie);
          expect(batch.len[i]).toBe(paddedLength(name.length));
          expect(batch.nameBytes(i)).toEqual(name);
          expect(batch.name(i)).toBe(new TextDecoder('utf-8', { ignoreBOM: true }).decode(name));
        });
      }),
      { numRuns: 500 },
    );
  });

  it('gives identical batches and errors for every truncation of a valid buffer', () => {
    const wasm = createDecoder({ debug: true, inputBytes: 4096 });
    const reference = createReferenceDecoder({ inputBytes: 4096 });
    fc.assert(
      fc.property(
        fc.array(event, { minLength: 1, maxLength: 12 }),
        fc.double({ min: 0, max: 1 }),
        (events, at) => {
          const whole = encodeEvents(events);
          const bytes = whole.subarray(0, Math.floor(whole.length * at));
          const expected = summary(decodeBytes(reference, bytes));
          expect(summary(decodeBytes(wasm, bytes))).toEqual(expected);
          // Never more events than whole headers fit, and an error unless the cut fell between events.
          expect(expected.count).toBeLessThanOrEqual(Math.floor(bytes.length / EVENT_HEADER_BYTES));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
