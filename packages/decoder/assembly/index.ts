// The inotify event-buffer decoder, compiled to WebAssembly.
//
// The JavaScript side (src/wasm.ts) creates the memory (a fixed number of pages: it never
// grows), lays the regions out (src/layout.ts) and hands the addresses to configure().
// The kernel's bytes land in the input region through syscall.read(); decode() walks them
// and writes one fixed-width record per event into the column regions; resolveNames()
// measures each name and interns it so that JavaScript decodes each distinct name once.
//
// No strings are built here and nothing is allocated (the runtime is `stub`): every
// function reads and writes only inside the regions it was given, and each load<T>() is
// preceded by the bounds check that makes it safe. The debug build keeps assert() on.

import { EVENT_HEADER_BYTES } from '../src/constants';

// Error codes shared with src/errors.ts (ERROR_CODES there is indexed by these).
const ERR_NONE: u32 = 0;
const ERR_TRUNCATED_HEADER: u32 = 1;
const ERR_NAME_OVERRUN: u32 = 2;

/** Bytes in a `struct inotify_event` header (16), as an unsigned value. */
const HEADER: u32 = EVENT_HEADER_BYTES;

/** The name id of a record without a name (len = 0, or a name that is empty). */
const NO_NAME: u32 = 0xffffffff;

// ---- regions (byte addresses in memory; set once by configure) ----
let inputPtr: usize = 0;
let capacity: u32 = 0;
let records: u32 = 0;
let wdPtr: usize = 0;
let maskPtr: usize = 0;
let cookiePtr: usize = 0;
let lenPtr: usize = 0;
let nameOffsetPtr: usize = 0;
let nameLengthPtr: usize = 0;
let nameIdPtr: usize = 0;
let slotsPtr: usize = 0;
let slotMask: u32 = 0;
let entriesPtr: usize = 0;
let idCapacity: u32 = 0;
let arenaPtr: usize = 0;
let arenaBytes: u32 = 0;

// ---- state ----
let idsUsed: u32 = 0;
let arenaUsed: u32 = 0;
let internGeneration: u32 = 0;
let errCode: u32 = ERR_NONE;
let errOffset: u32 = 0;
let errLen: u32 = 0;

/** Records where the regions are. Called once, before anything else. */
export function configure(
  input: usize,
  inputCapacity: u32,
  recordCapacity: u32,
  wd: usize,
  mask: usize,
  cookie: usize,
  len: usize,
  nameOffset: usize,
  nameLength: usize,
  nameId: usize,
  slots: usize,
  slotCount: u32,
  entries: usize,
  ids: u32,
  arena: usize,
  arenaCapacity: u32,
): void {
  assert(inputCapacity >= 272 && recordCapacity === inputCapacity / HEADER, 'bad capacity');
  assert(slotCount >= 2 * ids && popcnt(slotCount) === 1, 'bad slot count');
  assert(ids >= recordCapacity, 'bad id capacity');
  assert(arenaCapacity >= 2 * inputCapacity, 'bad arena');
  inputPtr = input;
  capacity = inputCapacity;
  records = recordCapacity;
  wdPtr = wd;
  maskPtr = mask;
  cookiePtr = cookie;
  lenPtr = len;
  nameOffsetPtr = nameOffset;
  nameLengthPtr = nameLength;
  nameIdPtr = nameId;
  slotsPtr = slots;
  slotMask = slotCount - 1;
  entriesPtr = entries;
  idCapacity = ids;
  arenaPtr = arena;
  arenaBytes = arenaCapacity;
  resetInternTable();
}

/** The error found by the last decode(): 0 none, 1 truncated header, 2 name overrun. */
export function errorCode(): u32 {
  return errCode;
}
/** Byte offset of the event header where the last decode() stopped with an error. */
export function errorOffset(): u32 {
  return errOffset;
}
/** The `len` field of the event that ran past the end (ERR_NAME_OVERRUN only). */
export function errorLen(): u32 {
  return errLen;
}
/** Changes each time the intern table is reset: name ids of older generations are void. */
export function generation(): u32 {
  return internGeneration;
}

/**
 * Walks `byteLength` bytes of the input region and writes one record per event into the
 * wd, mask, cookie and len columns (resolveNames() fills in the name columns, on demand). Returns the number of events. Stops at the
 * first malformed event and records why (errorCode/errorOffset/errorLen); the events
 * before it are in the columns.
 *
 * Each event is a `struct inotify_event` (<sys/inotify.h>), little-endian, back to back:
 *
 * ```
 *  offset  0         4         8         12        16                      16+len
 *          +---------+---------+---------+---------+------------------------+
 *          | wd i32  | mask u32| cookie  | len u32 | name[len]: bytes, NUL,  |
 *          |         |         |   u32   |         | NUL padding             |
 *          +---------+---------+---------+---------+------------------------+
 *          |<------------- header: 16 bytes ------>|<------ len bytes ------>|
 * ```
 *
 * `len` counts the name with its terminating NUL and padding; the kernel rounds it up to a
 * multiple of 16 (so a 255-byte name has len 256) and writes len = 0 for events without a
 * name. We rely on neither: any len that fits in the bytes read is accepted, and the name
 * is the bytes before the first NUL within len (all len bytes if there is none). What we
 * do check, before every step: 16 header bytes remain, and len <= the bytes after them.
 */
export function decode(byteLength: u32): u32 {
  assert(byteLength <= capacity, 'byteLength above capacity');
  const input = inputPtr;
  const wd = wdPtr;
  const mask = maskPtr;
  const cookie = cookiePtr;
  const len = lenPtr;
  let offset: u32 = 0;
  let count: u32 = 0;
  errCode = ERR_NONE;
  if (ASC_FEATURE_SIMD) {
    // Four events at a time: find the four headers (each step checked exactly as in the
    // loop below), then transpose the four 16-byte headers into one 16-byte store per
    // column. Whatever does not check out is left to the loop below, which reports it.
    while (byteLength - offset >= 4 * HEADER) {
      const p0 = offset;
      const l0 = load<u32>(input + <usize>p0, 12);
      let p1: u32, p2: u32, p3: u32;
      if ((l0 | load<u32>(input + <usize>p0, 28) | load<u32>(input + <usize>p0, 44)) === 0) {
        // Three events without a name (IN_MODIFY, IN_ATTRIB, ... on a watched file): their
        // positions are known without waiting for each len in turn.
        p1 = p0 + HEADER;
        p2 = p1 + HEADER;
        p3 = p2 + HEADER;
      } else {
        if (l0 > byteLength - p0 - HEADER) break;
        p1 = p0 + HEADER + l0;
        if (byteLength - p1 < HEADER) break;
        const l1 = load<u32>(input + <usize>p1, 12);
        if (l1 > byteLength - p1 - HEADER) break;
        p2 = p1 + HEADER + l1;
        if (byteLength - p2 < HEADER) break;
        const l2 = load<u32>(input + <usize>p2, 12);
        if (l2 > byteLength - p2 - HEADER) break;
        p3 = p2 + HEADER + l2;
        if (byteLength - p3 < HEADER) break;
      }
      const l3 = load<u32>(input + <usize>p3, 12);
      if (l3 > byteLength - p3 - HEADER) break;
      assert(count + 4 <= records, 'record columns full');
      const e0 = v128.load(input + <usize>p0);
      const e1 = v128.load(input + <usize>p1);
      const e2 = v128.load(input + <usize>p2);
      const e3 = v128.load(input + <usize>p3);
      const lo01 = i32x4.shuffle(e0, e1, 0, 4, 1, 5); // wd0 wd1 mask0 mask1
      const hi01 = i32x4.shuffle(e0, e1, 2, 6, 3, 7); // cookie0 cookie1 len0 len1
      const lo23 = i32x4.shuffle(e2, e3, 0, 4, 1, 5);
      const hi23 = i32x4.shuffle(e2, e3, 2, 6, 3, 7);
      const column = (<usize>count) << 2;
      v128.store(wd + column, i64x2.shuffle(lo01, lo23, 0, 2));
      v128.store(mask + column, i64x2.shuffle(lo01, lo23, 1, 3));
      v128.store(cookie + column, i64x2.shuffle(hi01, hi23, 0, 2));
      v128.store(len + column, i64x2.shuffle(hi01, hi23, 1, 3));
      count += 4;
      offset = p3 + HEADER + l3;
    }
  }
  while (offset < byteLength) {
    const remaining = byteLength - offset;
    if (remaining < HEADER) {
      fail(ERR_TRUNCATED_HEADER, offset, 0);
      break;
    }
    const event = input + <usize>offset;
    const nameBytes = load<u32>(event, 12);
    if (nameBytes > remaining - HEADER) {
      fail(ERR_NAME_OVERRUN, offset, nameBytes);
      break;
    }
    assert(count < records, 'record columns full');
    const column = (<usize>count) << 2;
    store<i32>(wd + column, load<i32>(event, 0));
    store<u32>(mask + column, load<u32>(event, 4));
    store<u32>(cookie + column, load<u32>(event, 8));
    store<u32>(len + column, nameBytes);
    count++;
    // Cannot wrap: nameBytes <= remaining - 16, so offset + 16 + nameBytes <= byteLength.
    offset += HEADER + nameBytes;
  }
  return count;
}

function fail(code: u32, offset: u32, nameBytes: u32): void {
  errCode = code;
  errOffset = offset;
  errLen = nameBytes;
}

/**
 * For the first `count` records of the last decode() of `byteLength` bytes: writes each
 * name's length (bytes before its first NUL) into nameLength, and its intern id into nameId
 * (NO_NAME for an empty name). Equal names get equal ids, different names different ids:
 * a hit is confirmed by comparing the bytes. Returns the table generation; when the table
 * could not hold this batch it is reset first and the generation changes.
 */
export function resolveNames(count: u32, byteLength: u32): u32 {
  assert(count <= records && byteLength <= capacity, 'bad batch');
  // A batch adds at most `count` ids and at most `byteLength` arena bytes (a name padded to 8
  // is still shorter than its 16-byte header plus len): reset only between batches.
  if (idsUsed + count > idCapacity || arenaUsed + byteLength > arenaBytes) resetInternTable();
  const input = inputPtr;
  // decode() checked every len: the records tile [0, end of the last event) exactly.
  let start: u32 = HEADER;
  // The previous name: one save gives IN_OPEN, IN_MODIFY and IN_CLOSE_WRITE for the same
  // name back to back, so compare with it before hashing.
  let previous: usize = 0;
  let previousLimit: u32 = 0;
  let previousLength: u32 = 0;
  let previousId = NO_NAME;
  for (let i: u32 = 0; i < count; i++) {
    const column = (<usize>i) << 2;
    const nameBytes = load<u32>(lenPtr + column);
    store<u32>(nameOffsetPtr + column, start);
    let length: u32 = 0;
    let id = NO_NAME;
    if (nameBytes !== 0) {
      assert(<u64>start + <u64>nameBytes <= <u64>byteLength, 'name outside the batch');
      const name = input + <usize>start;
      length = nulIndex(name, nameBytes);
      if (length !== 0) {
        if (length === previousLength && namesEqual(previous, previousLimit, name, nameBytes, length)) {
          id = previousId;
        } else {
          id = intern(name, length, nameBytes);
          previous = name;
          previousLimit = nameBytes;
          previousLength = length;
          previousId = id;
        }
      }
    }
    store<u32>(nameLengthPtr + column, length);
    store<u32>(nameIdPtr + column, id);
    start += nameBytes + HEADER;
  }
  return internGeneration;
}

// 0x0101010101010101 and 0x8080808080808080, built from halves (JS number literals cannot hold them).
const ONES: u64 = ((<u64>0x01010101) << 32) | 0x01010101;
const HIGHS: u64 = ((<u64>0x80808080) << 32) | 0x80808080;

/** Index of the first NUL in [p, p + n), or n if there is none. Reads only inside it. */
function nulIndex(p: usize, n: u32): u32 {
  let i: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    const zero = i8x16.splat(0);
    while (i + 16 <= n) {
      const hits = i8x16.bitmask(i8x16.eq(v128.load(p + <usize>i), zero));
      if (hits !== 0) return i + ctz(hits);
      i += 16;
    }
  } else {
    while (i + 8 <= n) {
      const w = load<u64>(p + <usize>i);
      // Classic has-zero-byte: the lowest flagged byte is always a true zero.
      const z = (w - ONES) & ~w & HIGHS;
      if (z !== 0) return i + (<u32>ctz(z) >> 3);
      i += 8;
    }
  }
  while (i < n) {
    if (load<u8>(p + <usize>i) === 0) return i;
    i++;
  }
  return n;
}

/** A 64-bit odd multiplier (2^64 / golden ratio), built from halves. */
const K: u64 = ((<u64>0x9e3779b9) << 32) | 0x7f4a7c15;

/** Set by hashName(): whether the name it hashed is all ASCII (every byte below 0x80). */
let nameIsAscii: bool = true;

/**
 * The bytes [i, n) of the name at p (n - i < 8) as a little-endian word, zero above.
 * `limit` (>= n) is the size of the event's name field: the word is loaded whole and
 * masked only when it lies inside that field, else assembled byte by byte.
 */
function tailWord(p: usize, i: u32, n: u32, limit: u32): u64 {
  if (i + 8 <= limit) return load<u64>(p + <usize>i) & (((<u64>1) << ((<u64>(n - i)) << 3)) - 1);
  let w: u64 = 0;
  for (let k = n; k > i; ) {
    k--;
    w = (w << 8) | <u64>load<u8>(p + <usize>k);
  }
  return w;
}

/** A 32-bit hash of the n name bytes at p (field size `limit`), a word at a time; sets nameIsAscii. */
function hashName(p: usize, n: u32, limit: u32): u32 {
  let h: u64 = <u64>n;
  let bits: u64 = 0;
  let i: u32 = 0;
  while (i + 8 <= n) {
    const w = load<u64>(p + <usize>i);
    bits |= w;
    h = rotl<u64>((h ^ w) * K, 29);
    i += 8;
  }
  if (i < n) {
    const w = tailWord(p, i, n, limit);
    bits |= w;
    h = rotl<u64>((h ^ w) * K, 29);
  }
  nameIsAscii = (bits & HIGHS) === 0;
  h ^= h >> 32;
  h *= K;
  h ^= h >> 29;
  return <u32>h;
}

/** Whether the n-byte names at a (field size aLimit) and b (field size bLimit) are equal. */
function namesEqual(a: usize, aLimit: u32, b: usize, bLimit: u32, n: u32): bool {
  let i: u32 = 0;
  while (i + 8 <= n) {
    if (load<u64>(a + <usize>i) !== load<u64>(b + <usize>i)) return false;
    i += 8;
  }
  return i === n || tailWord(a, i, n, aLimit) === tailWord(b, i, n, bLimit);
}

// Intern table: open addressing, linear probing, at most half full.
//   slot  (8 bytes): idPlus1 u32 (0 = empty), hash u32
//   entry (8 bytes): arena offset u32, length u32 with NON_ASCII set when a byte is >= 0x80.
// The arena holds a copy of each name's bytes, zero-padded to a multiple of 8 (so that
// names are compared a word at a time); ids are handed out in arena order, so the names of
// ids a..b lie one after the other (JavaScript decodes them with one call).
const NON_ASCII: u32 = 0x80000000;

function intern(name: usize, length: u32, limit: u32): u32 {
  const h = hashName(name, length, limit);
  let slot = h & slotMask;
  while (true) {
    const s = slotsPtr + ((<usize>slot) << 3);
    const idPlus1 = load<u32>(s);
    if (idPlus1 === 0) return insert(s, h, name, length, limit);
    if (load<u32>(s, 4) === h) {
      const e = entriesPtr + ((<usize>(idPlus1 - 1)) << 3);
      const copy = arenaPtr + <usize>load<u32>(e);
      if (
        (load<u32>(e, 4) & ~NON_ASCII) === length &&
        namesEqual(copy, (length + 7) & ~7, name, limit, length)
      ) {
        return idPlus1 - 1;
      }
    }
    slot = (slot + 1) & slotMask;
  }
}

function insert(slot: usize, h: u32, name: usize, length: u32, limit: u32): u32 {
  const id = idsUsed;
  const padded = (length + 7) & ~7;
  assert(id < idCapacity && arenaUsed + padded <= arenaBytes, 'intern table full');
  const copy = arenaPtr + <usize>arenaUsed;
  // Names are short (at most 255 bytes): a word loop beats memory.copy's call here.
  let i: u32 = 0;
  while (i + 8 <= length) {
    store<u64>(copy + <usize>i, load<u64>(name + <usize>i));
    i += 8;
  }
  if (i < length) store<u64>(copy + <usize>i, tailWord(name, i, length, limit));
  const e = entriesPtr + ((<usize>id) << 3);
  store<u32>(e, arenaUsed);
  store<u32>(e, length | (nameIsAscii ? 0 : NON_ASCII), 4);
  arenaUsed += padded;
  idsUsed = id + 1;
  store<u32>(slot, id + 1);
  store<u32>(slot, h, 4);
  return id;
}

/** How many names the intern table holds (ids 0 .. internedCount() - 1). */
export function internedCount(): u32 {
  return idsUsed;
}

function resetInternTable(): void {
  memory.fill(slotsPtr, 0, (<usize>slotMask + 1) << 3);
  idsUsed = 0;
  arenaUsed = 0;
  internGeneration++;
}

/** Where the module's static data ends: JavaScript checks it is below the first region. */
export function heapBase(): usize {
  return __heap_base;
}

// Every shared constant, exported as a wasm global: constants.test.ts checks that the
// values compiled here equal the TypeScript ones bit for bit.
export * from '../src/constants';
