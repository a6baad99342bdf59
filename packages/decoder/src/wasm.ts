import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { Batch, type Columns, type NameSource } from './batch.js';
import type { Decoder, DecoderOptions } from './decoder.js';
import { checkByteLength, decodeError } from './errors.js';
import { computeLayout, layoutPages, WASM_STATIC_RESERVE } from './layout.js';
import { InternedNames } from './names.js';
import { createReferenceDecoder } from './reference.js';

/** The functions assembly/index.ts exports. */
interface WasmExports {
  configure(
    input: number,
    inputCapacity: number,
    recordCapacity: number,
    wd: number,
    mask: number,
    cookie: number,
    len: number,
    nameOffset: number,
    nameLength: number,
    nameId: number,
    slots: number,
    slotCount: number,
    entries: number,
    ids: number,
    arena: number,
    arenaCapacity: number,
  ): void;
  decode(byteLength: number): number;
  errorCode(): number;
  errorOffset(): number;
  errorLen(): number;
  resolveNames(count: number, byteLength: number): number;
  internedCount(): number;
  generation(): number;
  heapBase(): number;
}

// The slice of the WebAssembly JS API used here, typed locally: @types/node 20 does not
// declare it, and taking it from globalThis also tells us when it is missing.
/** @internal */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
/** @internal */
export interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: object };
  Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory;
}
/** @internal `WebAssembly`, or undefined where the runtime has none. */
export const webAssembly = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;

/** The name id of a record without a name (assembly/index.ts NO_NAME). */
const NO_NAME = 0xffffffff;

const compiled = new Map<string, object>();

/**
 * The compiled module of one build ('debug' or 'release'), compiled once per process from
 * the .wasm shipped in the package's build/ directory.
 */
function wasmModule(api: WebAssemblyApi, build: 'debug' | 'release'): object {
  let module = compiled.get(build);
  if (module === undefined) {
    const url = new URL(`../build/${build}.wasm`, import.meta.url);
    module = new api.Module(readFileSync(url));
    compiled.set(build, module);
  }
  return module;
}

/** Reads an AssemblyScript string (UTF-16, byte length at ptr - 4) for abort messages. */
function readWasmString(memory: WasmMemory, ptr: number): string {
  if (ptr < 4 || ptr >= memory.buffer.byteLength) return '?';
  const bytes = new Uint32Array(memory.buffer.slice(ptr - 4, ptr))[0]!;
  return String.fromCharCode(...new Uint16Array(memory.buffer.slice(ptr, ptr + Math.min(bytes, 2048))));
}

/** @internal A fresh instance of one build over a fixed memory of `pages` pages. */
export function instantiate(
  api: WebAssemblyApi,
  build: 'debug' | 'release',
  pages: number,
): { exports: Record<string, unknown>; memory: WasmMemory } {
  // initial === maximum: the memory can never grow, so views on it never detach.
  const memory = new api.Memory({ initial: pages, maximum: pages });
  const instance = new api.Instance(wasmModule(api, build), {
    env: {
      memory,
      abort(message: number, file: number, line: number, column: number): never {
        throw new Error(
          `inotify decoder wasm assertion failed: ${readWasmString(memory, message)} at ` +
            `${readWasmString(memory, file)}:${line}:${column}`,
        );
      },
    },
  });
  return { exports: instance.exports as Record<string, unknown>, memory };
}

class WasmDecoder implements Decoder, NameSource {
  readonly input: Uint8Array;
  readonly capacity: number;
  readonly implementation: 'wasm' | 'wasm-debug';
  sequence = 0;
  readonly #exports: WasmExports;
  readonly #columns: Columns;
  readonly #nameOffset: Uint32Array;
  readonly #nameLength: Uint32Array;
  readonly #nameId: Uint32Array;
  /** Strings by intern id, for the intern table generation #generation. */
  readonly #names: InternedNames;
  #generation: number;
  /** State of the current batch. */
  #count = 0;
  #byteLength = 0;
  #resolved = false;

  constructor(api: WebAssemblyApi, options: DecoderOptions) {
    const layout = computeLayout(options.inputBytes);
    const debug = options.debug === true;
    const pages = layoutPages(layout);
    const instance = instantiate(api, debug ? 'debug' : 'release', pages);
    const exports = instance.exports as unknown as WasmExports;
    const memory = instance.memory;
    if (exports.heapBase() > WASM_STATIC_RESERVE) {
      throw new Error(
        `internal error: the wasm static data (${exports.heapBase()} bytes) overlaps the regions`,
      );
    }
    const l = layout;
    exports.configure(
      l.input,
      l.capacity,
      l.records,
      l.wd,
      l.mask,
      l.cookie,
      l.len,
      l.nameOffset,
      l.nameLength,
      l.nameId,
      l.slots,
      l.slotCount,
      l.entries,
      l.idCapacity,
      l.arena,
      l.arenaBytes,
    );
    const buffer = memory.buffer;
    this.#exports = exports;
    this.implementation = debug ? 'wasm-debug' : 'wasm';
    this.capacity = layout.capacity;
    this.input = new Uint8Array(buffer, l.input, l.capacity);
    this.#columns = {
      wd: new Int32Array(buffer, l.wd, l.records),
      mask: new Uint32Array(buffer, l.mask, l.records),
      cookie: new Uint32Array(buffer, l.cookie, l.records),
      len: new Uint32Array(buffer, l.len, l.records),
    };
    this.#nameOffset = new Uint32Array(buffer, l.nameOffset, l.records);
    this.#nameLength = new Uint32Array(buffer, l.nameLength, l.records);
    this.#nameId = new Uint32Array(buffer, l.nameId, l.records);
    this.#names = new InternedNames(
      new Uint32Array(buffer, l.entries, 2 * l.idCapacity),
      Buffer.from(buffer, l.arena, l.arenaBytes),
      l.idCapacity,
      () => exports.internedCount(),
    );
    this.#generation = exports.generation();
  }

  decode(byteLength: number): Batch {
    checkByteLength(byteLength, this.capacity);
    this.sequence++;
    const exports = this.#exports;
    const count = exports.decode(byteLength);
    const kind = exports.errorCode();
    this.#count = count;
    this.#byteLength = byteLength;
    this.#resolved = false;
    return new Batch(
      this,
      this.#columns,
      count,
      kind === 0 ? null : decodeError(kind, exports.errorOffset(), byteLength, exports.errorLen() >>> 0),
    );
  }

  /** Measures and interns every name of the batch, once, on the first name access. */
  #resolve(): void {
    const generation = this.#exports.resolveNames(this.#count, this.#byteLength);
    if (generation !== this.#generation) {
      this.#generation = generation;
      this.#names.reset();
    }
    this.#resolved = true;
  }

  nameOf(i: number): string {
    if (!this.#resolved) this.#resolve();
    const id = this.#nameId[i]!;
    if (id === NO_NAME) return '';
    return this.#names.get(id);
  }

  nameBytesOf(i: number): Uint8Array {
    if (!this.#resolved) this.#resolve();
    const start = this.#nameOffset[i]!;
    return this.input.slice(start, start + this.#nameLength[i]!);
  }
}

/**
 * Creates the WebAssembly decoder (synchronously). Falls back to the reference decoder
 * (same interface and output) where `WebAssembly` is unavailable.
 *
 * @throws RangeError when `options.inputBytes` is out of range (see {@link DecoderOptions}).
 */
export function createDecoder(options: DecoderOptions = {}): Decoder {
  if (webAssembly === undefined) return createReferenceDecoder(options);
  return new WasmDecoder(webAssembly, options);
}
