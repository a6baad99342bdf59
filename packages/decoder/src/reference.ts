import { Batch, type Columns, type NameSource } from './batch.js';
import { EVENT_HEADER_BYTES } from './constants.js';
import type { Decoder, DecoderOptions } from './decoder.js';
import {
  checkByteLength,
  type DecodeError,
  decodeError,
  ERR_NAME_OVERRUN,
  ERR_TRUNCATED_HEADER,
} from './errors.js';
import { computeLayout } from './layout.js';
import { decodeUtf8 } from './utf8.js';

/**
 * The reference decoder: plain TypeScript over an ordinary ArrayBuffer, written for
 * clarity. It produces exactly what the wasm decoder produces (the differential tests hold
 * it to that) and stands in for it where WebAssembly is unavailable.
 */
class ReferenceDecoder implements Decoder, NameSource {
  readonly input: Uint8Array;
  readonly capacity: number;
  readonly implementation = 'reference' as const;
  sequence = 0;
  readonly #view: DataView;
  readonly #columns: Columns;
  readonly #wd: Int32Array;
  readonly #mask: Uint32Array;
  readonly #cookie: Uint32Array;
  readonly #len: Uint32Array;
  readonly #nameOffset: Uint32Array;

  constructor(options: DecoderOptions) {
    const { capacity, records } = computeLayout(options.inputBytes);
    this.capacity = capacity;
    this.input = new Uint8Array(capacity);
    this.#view = new DataView(this.input.buffer);
    this.#wd = new Int32Array(records);
    this.#mask = new Uint32Array(records);
    this.#cookie = new Uint32Array(records);
    this.#len = new Uint32Array(records);
    this.#columns = { wd: this.#wd, mask: this.#mask, cookie: this.#cookie, len: this.#len };
    this.#nameOffset = new Uint32Array(records);
  }

  decode(byteLength: number): Batch {
    checkByteLength(byteLength, this.capacity);
    this.sequence++;
    const view = this.#view;
    let offset = 0;
    let count = 0;
    let error: DecodeError | null = null;
    // struct inotify_event, little-endian: wd i32 @0, mask u32 @4, cookie u32 @8, len u32 @12,
    // then len name bytes (see assembly/index.ts decode() for the drawing and the rules).
    while (offset < byteLength) {
      const remaining = byteLength - offset;
      if (remaining < EVENT_HEADER_BYTES) {
        error = decodeError(ERR_TRUNCATED_HEADER, offset, byteLength, 0);
        break;
      }
      const len = view.getUint32(offset + 12, true);
      if (len > remaining - EVENT_HEADER_BYTES) {
        error = decodeError(ERR_NAME_OVERRUN, offset, byteLength, len);
        break;
      }
      this.#wd[count] = view.getInt32(offset, true);
      this.#mask[count] = view.getUint32(offset + 4, true);
      this.#cookie[count] = view.getUint32(offset + 8, true);
      this.#len[count] = len;
      this.#nameOffset[count] = offset + EVENT_HEADER_BYTES;
      count++;
      offset += EVENT_HEADER_BYTES + len;
    }
    return new Batch(this, this.#columns, count, error);
  }

  /** [start, end) of event i's name: the bytes before the first NUL within its len. */
  #nameRange(i: number): [number, number] {
    const start = this.#nameOffset[i]!;
    const limit = start + this.#len[i]!;
    let end = start;
    while (end < limit && this.input[end] !== 0) end++;
    return [start, end];
  }

  nameOf(i: number): string {
    const [start, end] = this.#nameRange(i);
    return start === end ? '' : decodeUtf8(this.input, start, end);
  }

  nameBytesOf(i: number): Uint8Array {
    const [start, end] = this.#nameRange(i);
    return this.input.slice(start, end);
  }
}

/**
 * Creates a reference decoder: the same interface and output as `createDecoder()`, in plain
 * TypeScript (for differential tests, and where WebAssembly is unavailable).
 *
 * @throws RangeError when `options.inputBytes` is out of range (see {@link DecoderOptions}).
 */
export function createReferenceDecoder(options: DecoderOptions = {}): Decoder {
  return new ReferenceDecoder(options);
}
