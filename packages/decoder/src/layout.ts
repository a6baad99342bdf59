import { EVENT_HEADER_BYTES, EVENT_MAX_BYTES } from './constants.js';

/** The read buffer size `createDecoder()` uses when none is given: 256 KiB. */
export const DEFAULT_INPUT_BYTES = 256 * 1024;
/** The smallest read buffer accepted: one event with a 255-byte name (272 bytes). */
export const MIN_INPUT_BYTES = EVENT_MAX_BYTES;
/** The largest read buffer accepted: 64 MiB (the decoder then owns about 500 MiB). */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

const PAGE = 65536;
/** Page 0 holds the wasm module's own static data; the regions below start after it. */
const STATIC_RESERVE = PAGE;

/**
 * Where each region lives in the decoder's memory (byte offsets) and how big it is.
 * C = capacity, R = records = floor(C / 16): every event is at least its 16-byte header, so
 * C bytes never hold more than R events. Every region starts 16-byte aligned.
 *
 * ```
 * 0        64 KiB
 * | module | input    | wd  | mask | cookie | len | nameOffset | nameLength | nameId |
 * | static | C bytes  | ------------------ 7 columns of R x u32 ------------------- |
 * | intern slots: 2R (power of 2) x (id+1 u32, hash u32) | entries: R x (offset u32, length u32) |
 * | arena: 2C bytes of name copies, each zero-padded to 8 |
 * ```
 */
export interface Layout {
  readonly capacity: number;
  readonly records: number;
  readonly input: number;
  readonly wd: number;
  readonly mask: number;
  readonly cookie: number;
  readonly len: number;
  readonly nameOffset: number;
  readonly nameLength: number;
  readonly nameId: number;
  readonly slots: number;
  readonly slotCount: number;
  readonly entries: number;
  readonly idCapacity: number;
  readonly arena: number;
  readonly arenaBytes: number;
  /** Total bytes, a whole number of 64 KiB pages. */
  readonly bytes: number;
}

const align16 = (n: number): number => Math.ceil(n / 16) * 16;

/**
 * Checks `inputBytes` and lays the regions out for it.
 *
 * @throws RangeError when `inputBytes` is not an integer in [MIN_INPUT_BYTES, MAX_INPUT_BYTES].
 */
export function computeLayout(inputBytes: number = DEFAULT_INPUT_BYTES): Layout {
  if (!Number.isInteger(inputBytes) || inputBytes < MIN_INPUT_BYTES || inputBytes > MAX_INPUT_BYTES) {
    throw new RangeError(
      `options.inputBytes must be an integer from ${MIN_INPUT_BYTES} (one event with a 255-byte name) ` +
        `to ${MAX_INPUT_BYTES}, got ${String(inputBytes)}`,
    );
  }
  const capacity = inputBytes;
  const records = Math.floor(capacity / EVENT_HEADER_BYTES);
  // One batch interns at most `records` new names and `capacity` new name bytes (the table
  // is only reset between batches). Named events take 32+ bytes, so `records` ids hold two
  // batches of names, and the arena (2 x capacity) two batches of name bytes.
  const idCapacity = records;
  let slotCount = 1;
  while (slotCount < 2 * idCapacity) slotCount *= 2;
  const arenaBytes = align16(2 * capacity);
  const column = align16(records * 4);
  let at = STATIC_RESERVE;
  const take = (bytes: number): number => {
    const start = at;
    at += align16(bytes);
    return start;
  };
  const input = take(capacity);
  const wd = take(column);
  const mask = take(column);
  const cookie = take(column);
  const len = take(column);
  const nameOffset = take(column);
  const nameLength = take(column);
  const nameId = take(column);
  const slots = take(slotCount * 8);
  const entries = take(idCapacity * 8);
  const arena = take(arenaBytes);
  const bytes = Math.ceil(at / PAGE) * PAGE;
  return {
    capacity,
    records,
    input,
    wd,
    mask,
    cookie,
    len,
    nameOffset,
    nameLength,
    nameId,
    slots,
    slotCount,
    entries,
    idCapacity,
    arena,
    arenaBytes,
    bytes,
  };
}

/** The wasm page count that holds `layout`. */
export const layoutPages = (layout: Layout): number => layout.bytes / PAGE;

/** Bytes reserved at address 0 for the wasm module's static data. */
export const WASM_STATIC_RESERVE = STATIC_RESERVE;
