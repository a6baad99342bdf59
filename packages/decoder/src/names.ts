import { decodeUtf8 } from './utf8.js';

/** Ids per chunk: the names of one chunk are decoded to a string with one call. */
const CHUNK_SHIFT = 5;
/** The high bit of an entry's length word: the name has a byte >= 0x80 (assembly/index.ts NON_ASCII). */
const NON_ASCII = 0x80000000;

/**
 * The JavaScript half of the intern table: the string of each name id, decoded once.
 *
 * The wasm side copies each new name into its arena (zero-padded to 8 bytes) and describes
 * it in `entries` (arena offset, length | NON_ASCII) under ids handed out in arena order, so
 * the names of ids 32k .. 32k+31 lie one after the other. An ASCII name is cut (`slice`)
 * from one latin-1 string of its whole chunk: one native call per 32 names instead of one
 * per name, which is what makes unique names cheap. A name with other bytes is decoded
 * alone, as UTF-8.
 *
 * A cut string may share memory with its chunk string (V8 slices strings of 13+ chars), so
 * a name kept alive keeps at most its chunk alive: 32 names, at most 8 KiB.
 *
 * `reset()` must be called whenever the wasm table is reset (its generation changes):
 * the ids then mean other names.
 */
export class InternedNames {
  readonly #entries: Uint32Array;
  readonly #arena: Buffer;
  readonly #internedCount: () => number;
  /** String of each id, valid where #stamp[id] === #generation (so reset() is O(1)). */
  readonly #strings: string[];
  readonly #stamp: Uint32Array;
  /** Decoded chunk strings, valid where #chunkStamp[k] === #generation. */
  readonly #chunks: string[];
  readonly #chunkStamp: Uint32Array;
  #generation = 1;

  constructor(entries: Uint32Array, arena: Buffer, idCapacity: number, internedCount: () => number) {
    this.#entries = entries;
    this.#arena = arena;
    this.#internedCount = internedCount;
    const chunks = Math.ceil(idCapacity / (1 << CHUNK_SHIFT));
    // Packed arrays of strings, filled once: `new Array(n)` would be holey, and slow to write.
    this.#strings = Array.from({ length: idCapacity }, () => '');
    this.#stamp = new Uint32Array(idCapacity);
    this.#chunks = Array.from({ length: chunks }, () => '');
    this.#chunkStamp = new Uint32Array(chunks);
  }

  /** Forgets every string: ids are about to be reused for other names. */
  reset(): void {
    this.#generation = (this.#generation + 1) >>> 0;
    if (this.#generation === 0) {
      // After 2^32 resets the stamps would come round again: clear them instead.
      this.#stamp.fill(0);
      this.#chunkStamp.fill(0);
      this.#generation = 1;
    }
  }

  /** The string of name `id`. */
  get(id: number): string {
    return this.#stamp[id] === this.#generation ? this.#strings[id]! : this.#decode(id);
  }

  #decode(id: number): string {
    const entries = this.#entries;
    const offset = entries[2 * id]!;
    const word = entries[2 * id + 1]!;
    const length = (word & ~NON_ASCII) >>> 0;
    let name: string;
    if (word & NON_ASCII) {
      name = decodeUtf8(this.#arena, offset, offset + length);
    } else {
      const k = id >>> CHUNK_SHIFT;
      const base = entries[2 * (k << CHUNK_SHIFT)]!;
      let chunk = this.#chunks[k]!;
      // A chunk not decoded yet, or the last chunk grown since it was: decode it to its current end.
      if (this.#chunkStamp[k] !== this.#generation || base + chunk.length < offset + length) {
        const last = Math.min((k + 1) << CHUNK_SHIFT, this.#internedCount()) - 1;
        const end = entries[2 * last]! + ((entries[2 * last + 1]! & ~NON_ASCII) >>> 0);
        chunk = this.#arena.toString('latin1', base, end);
        this.#chunks[k] = chunk;
        this.#chunkStamp[k] = this.#generation;
      }
      name = chunk.slice(offset - base, offset - base + length);
    }
    this.#strings[id] = name;
    this.#stamp[id] = this.#generation;
    return name;
  }
}
