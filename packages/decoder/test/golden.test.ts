import { describe, expect, it } from 'vitest';
import {
  DecodeError,
  IN_CLOSE_WRITE,
  IN_CREATE,
  IN_DELETE,
  IN_IGNORED,
  IN_ISDIR,
  IN_MODIFY,
  IN_MOVED_FROM,
  IN_MOVED_TO,
  IN_Q_OVERFLOW,
  maskNames,
} from '../src/index.js';
import { implementations } from './decoders.js';
import { decodeBytes, encodeEvents, eventsOf, summary } from './events.js';

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
const zeros = (n: number): string => '00'.repeat(n);

// Three events as the kernel writes them (x86-64 little-endian), spelled out byte by byte.
// A careless parser falls into two traps here:
//  - event 0 has len = 0. Reading a NUL-terminated "name" after its header anyway yields
//    "abc": the first bytes of event 1's header (its wd is 0x00636261 = 'a','b','c',NUL).
//  - event 1's name "x" is NUL-padded to len 16. Stepping by the name's length + 1 instead
//    of len lands in the padding and reads zeros as an event.
const KERNEL_SHAPED = hex(`
  01000000 02000000 00000000 00000000
  61626300 00010000 00000000 10000000  7800${zeros(14)}
  07000000 40000000 34120000 20000000  6162636465666768696a6b6c6d6e6f70 ${zeros(16)}
`);

describe.each(implementations)('the %s decoder', (_, create) => {
  it('decodes kernel-shaped bytes into exact columns and names, without mistaking one event for another', () => {
    const decoder = create();
    const batch = decodeBytes(decoder, KERNEL_SHAPED);
    expect(batch.error).toBeNull();
    expect(batch.count).toBe(3);
    expect([...batch.wd]).toEqual([1, 0x00636261, 7]);
    expect([...batch.mask]).toEqual([IN_MODIFY, IN_CREATE, IN_MOVED_FROM]);
    expect([...batch.cookie]).toEqual([0, 0, 0x1234]);
    expect([...batch.len]).toEqual([0, 16, 32]);
    expect([batch.name(0), batch.name(1), batch.name(2)]).toEqual(['', 'x', 'abcdefghijklmnop']);
    expect([...batch.nameBytes(2)]).toEqual([...Buffer.from('abcdefghijklmnop')]);
  });

  it('hands out columns whose length is the event count', () => {
    const decoder = create();
    const batch = decodeBytes(decoder, KERNEL_SHAPED);
    expect(batch.wd).toBeInstanceOf(Int32Array);
    expect(batch.mask).toBeInstanceOf(Uint32Array);
    expect(batch.cookie).toBeInstanceOf(Uint32Array);
    expect(batch.len).toBeInstanceOf(Uint32Array);
    for (const column of [batch.wd, batch.mask, batch.cookie, batch.len]) expect(column.length).toBe(3);
  });

  it('decodes a 255-byte name padded to len 256', () => {
    const decoder = create();
    const name = `${'n'.repeat(254)}z`;
    const batch = decodeBytes(decoder, encodeEvents([{ wd: 3, mask: IN_CREATE, name }]));
    expect(batch.error).toBeNull();
    expect(batch.count).toBe(1);
    expect(batch.len[0]).toBe(256);
    expect(batch.name(0)).toBe(name);
    expect(batch.nameBytes(0).length).toBe(255);
  });

  it('decodes a 255-byte name in the smallest allowed input of 272 bytes', () => {
    const decoder = create({ inputBytes: 272 });
    const name = 'q'.repeat(255);
    const bytes = encodeEvents([{ wd: 1, mask: IN_CLOSE_WRITE, name }]);
    expect(bytes.length).toBe(272);
    const batch = decodeBytes(decoder, bytes);
    expect(eventsOf(batch)).toEqual([
      { wd: 1, mask: IN_CLOSE_WRITE, cookie: 0, len: 256, name, nameBytes: [...Buffer.from(name)] },
    ]);
  });

  it("gives len = 0 events the name '' and no name bytes", () => {
    const decoder = create();
    const batch = decodeBytes(
      decoder,
      encodeEvents([
        { wd: 1, mask: IN_MODIFY },
        { wd: 1, mask: IN_IGNORED },
      ]),
    );
    expect(eventsOf(batch)).toEqual([
      { wd: 1, mask: IN_MODIFY, cookie: 0, len: 0, name: '', nameBytes: [] },
      { wd: 1, mask: IN_IGNORED, cookie: 0, len: 0, name: '', nameBytes: [] },
    ]);
  });

  it('decodes an IN_Q_OVERFLOW record with wd -1', () => {
    const decoder = create();
    const batch = decodeBytes(decoder, hex(`ffffffff 00400000 00000000 00000000`));
    expect(batch.count).toBe(1);
    expect(batch.wd[0]).toBe(-1);
    expect(batch.mask[0]).toBe(IN_Q_OVERFLOW);
    expect(maskNames(batch.mask[0]!)).toEqual(['IN_Q_OVERFLOW']);
    expect(batch.name(0)).toBe('');
  });

  it('keeps mask bits above 0x7fffffff unsigned and directory flags intact', () => {
    const decoder = create();
    const batch = decodeBytes(
      decoder,
      encodeEvents([{ wd: 2, mask: 0x80000000 | IN_CREATE | IN_ISDIR, name: 'd' }]),
    );
    expect(batch.mask[0]).toBe(0xc0000100);
    expect(maskNames(batch.mask[0]!)).toEqual(['IN_CREATE', 'IN_ISDIR', 'IN_ONESHOT']);
  });

  it('replaces bytes that are not UTF-8 with U+FFFD in name() and returns them exactly from nameBytes()', () => {
    const decoder = create();
    const names = [
      Uint8Array.of(0x63, 0x61, 0x66, 0xe9), // "café" in Latin-1
      Uint8Array.of(0x66, 0xff, 0x6f, 0xc3), // a stray 0xff, then a lead byte cut short by the NUL
      Uint8Array.of(0xed, 0xa0, 0x80, 0x2e), // an encoded surrogate: one U+FFFD per byte
      Uint8Array.of(0xf0, 0x9f, 0x98, 0x80), // valid: U+1F600
    ];
    const batch = decodeBytes(decoder, encodeEvents(names.map((name) => ({ wd: 1, mask: IN_CREATE, name }))));
    expect(batch.error).toBeNull();
    expect([0, 1, 2, 3].map((i) => batch.name(i))).toEqual([
      'caf\uFFFD',
      'f\uFFFDo\uFFFD',
      '\uFFFD\uFFFD\uFFFD.',
      '\u{1F600}',
    ]);
    expect([0, 1, 2, 3].map((i) => [...batch.nameBytes(i)])).toEqual(names.map((n) => [...n]));
  });

  it('keeps a byte order mark at the start of a name', () => {
    const decoder = create();
    const batch = decodeBytes(decoder, encodeEvents([{ wd: 1, mask: IN_CREATE, name: '\uFEFFbom' }]));
    expect(batch.name(0)).toBe('\uFEFFbom');
    expect(batch.nameBytes(0)).toEqual(Uint8Array.of(0xef, 0xbb, 0xbf, 0x62, 0x6f, 0x6d));
  });

  it('ends a name at its first NUL and ignores what follows within len', () => {
    const decoder = create();
    const name = Uint8Array.of(0x61, 0x00, 0x62, 0x63);
    const batch = decodeBytes(decoder, encodeEvents([{ wd: 1, mask: IN_DELETE, name }]));
    expect(batch.len[0]).toBe(16);
    expect(batch.name(0)).toBe('a');
    expect([...batch.nameBytes(0)]).toEqual([0x61]);
  });

  it('takes all len bytes as the name when they hold no NUL', () => {
    const decoder = create();
    const batch = decodeBytes(
      decoder,
      encodeEvents([{ wd: 1, mask: IN_CREATE, name: 'sixteen-bytes-nm', len: 16 }]),
    );
    expect(batch.name(0)).toBe('sixteen-bytes-nm');
    expect(batch.nameBytes(0).length).toBe(16);
  });

  it('accepts a len that is not a multiple of 16', () => {
    const decoder = create();
    const bytes = encodeEvents([
      { wd: 1, mask: IN_MOVED_FROM, cookie: 9, name: 'abc', len: 5 },
      { wd: 1, mask: IN_MOVED_TO, cookie: 9, name: 'de', len: 3 },
    ]);
    expect(bytes.length).toBe(40);
    const batch = decodeBytes(decoder, bytes);
    expect(eventsOf(batch)).toEqual([
      { wd: 1, mask: IN_MOVED_FROM, cookie: 9, len: 5, name: 'abc', nameBytes: [0x61, 0x62, 0x63] },
      { wd: 1, mask: IN_MOVED_TO, cookie: 9, len: 3, name: 'de', nameBytes: [0x64, 0x65] },
    ]);
  });

  it('reports a header cut short by offset, keeping the events before it', () => {
    const decoder = create();
    const bytes = KERNEL_SHAPED.subarray(0, 16 + 32 + 10);
    const batch = decodeBytes(decoder, bytes);
    expect(batch.count).toBe(2);
    expect([...batch.wd]).toEqual([1, 0x00636261]);
    expect(batch.name(1)).toBe('x');
    expect(batch.error).toBeInstanceOf(DecodeError);
    expect(summary(batch).error).toEqual({
      name: 'DecodeError',
      code: 'ERR_INOTIFY_TRUNCATED_HEADER',
      offset: 48,
      byteLength: 58,
      eventLen: null,
      message:
        'inotify event buffer is truncated at offset 48: an event header needs 16 bytes but only 10 of the 58 bytes read remain',
    });
  });

  it('reports a len that runs past the bytes read, keeping the events before it', () => {
    const decoder = create();
    const bytes = KERNEL_SHAPED.subarray(0, KERNEL_SHAPED.length - 1);
    const batch = decodeBytes(decoder, bytes);
    expect(batch.count).toBe(2);
    expect(summary(batch).error).toEqual({
      name: 'DecodeError',
      code: 'ERR_INOTIFY_NAME_OVERRUN',
      offset: 48,
      byteLength: 95,
      eventLen: 32,
      message:
        'inotify event at offset 48 has len 32, which runs past the end of the 95 bytes read (only 31 bytes follow its header)',
    });
  });

  it('reports a len of 0xffffffff as an overrun instead of wrapping around', () => {
    const decoder = create();
    const batch = decodeBytes(decoder, hex(`01000000 02000000 00000000 ffffffff ${zeros(32)}`));
    expect(batch.count).toBe(0);
    expect(batch.error?.code).toBe('ERR_INOTIFY_NAME_OVERRUN');
    expect(batch.error?.eventLen).toBe(0xffffffff);
    expect(batch.error?.offset).toBe(0);
  });

  it('reports a buffer shorter than one header at offset 0', () => {
    const decoder = create();
    const batch = decodeBytes(decoder, hex('01000000 02'));
    expect(batch.count).toBe(0);
    expect(batch.error?.code).toBe('ERR_INOTIFY_TRUNCATED_HEADER');
    expect(batch.error?.offset).toBe(0);
  });

  it('decodes zero bytes into an empty batch without an error', () => {
    const batch = create().decode(0);
    expect(batch.count).toBe(0);
    expect(batch.error).toBeNull();
    expect(batch.wd.length).toBe(0);
  });

  it('throws a RangeError for a byteLength that is negative, fractional or above the capacity', () => {
    const decoder = create({ inputBytes: 4096 });
    expect(decoder.capacity).toBe(4096);
    expect(decoder.input.length).toBe(4096);
    for (const bad of [-1, 1.5, 4097, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => decoder.decode(bad)).toThrow(RangeError);
    }
    expect(() => decoder.decode(4097)).toThrow(
      'decode(byteLength): byteLength must be an integer from 0 to the input capacity 4096, got 4097',
    );
    const full = decoder.decode(4096); // fresh memory is zeros: 256 headers with len 0
    expect(full.count).toBe(256);
    expect(full.error).toBeNull();
  });

  it('rejects an input size below one maximal event with a RangeError', () => {
    expect(() => create({ inputBytes: 271 })).toThrow(RangeError);
    expect(() => create({ inputBytes: 1000.5 })).toThrow(/options.inputBytes must be an integer from 272/);
  });

  it('makes a batch stale once the decoder decodes again', () => {
    const decoder = create();
    const first = decodeBytes(decoder, KERNEL_SHAPED);
    expect(first.name(1)).toBe('x');
    decodeBytes(decoder, encodeEvents([{ wd: 5, mask: IN_CREATE, name: 'other' }]));
    expect(() => first.name(1)).toThrow(expect.objectContaining({ code: 'ERR_INOTIFY_BATCH_STALE' }));
    expect(() => first.nameBytes(1)).toThrow(/stale/);
  });

  it('throws a RangeError for an event index outside the batch', () => {
    const batch = decodeBytes(create(), KERNEL_SHAPED);
    for (const bad of [-1, 3, 0.5, Number.NaN]) expect(() => batch.name(bad)).toThrow(RangeError);
  });

  it('returns name bytes as a copy that outlives the next decode', () => {
    const decoder = create();
    const batch = decodeBytes(decoder, encodeEvents([{ wd: 1, mask: IN_CREATE, name: 'kept' }]));
    const kept = batch.nameBytes(0);
    decoder.input.fill(0x7a);
    decoder.decode(64);
    expect(new TextDecoder().decode(kept)).toBe('kept');
  });

  it('gives each event of a batch its own name when names repeat and differ', () => {
    const decoder = create();
    const names = ['a', 'b', 'a', 'longer-name.txt', 'b', 'longer-name.txt', 'longer-name.txT', 'a'];
    const batch = decodeBytes(decoder, encodeEvents(names.map((name) => ({ wd: 1, mask: IN_MODIFY, name }))));
    expect(names.map((_, i) => batch.name(i))).toEqual(names);
  });

  it('decodes long runs of nameless events mixed with named ones, and stops at a cut inside a run', () => {
    const decoder = create();
    const specs = Array.from({ length: 103 }, (_, i) => ({
      wd: i,
      mask: IN_MODIFY,
      cookie: i * 3,
      name: i % 17 === 5 ? `n${i}` : undefined,
    }));
    const bytes = encodeEvents(specs);
    const batch = decodeBytes(decoder, bytes);
    expect(batch.error).toBeNull();
    expect(batch.count).toBe(103);
    expect([...batch.wd]).toEqual(specs.map((s) => s.wd));
    expect([...batch.cookie]).toEqual(specs.map((s) => s.cookie));
    expect(specs.map((_, i) => batch.name(i))).toEqual(specs.map((s) => s.name ?? ''));
    // Cut the buffer in the middle of the 50th header: 49 whole events, then the error.
    const cut = encodeEvents(specs.slice(0, 49)).length + 7;
    const truncated = decodeBytes(decoder, bytes.subarray(0, cut));
    expect(truncated.count).toBe(49);
    expect(truncated.error?.code).toBe('ERR_INOTIFY_TRUNCATED_HEADER');
    expect(truncated.error?.offset).toBe(cut - 7);
  });
});
