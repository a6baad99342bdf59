import type { EventBatch } from './batch.js';

/** Options of `createDecoder()` and `createReferenceDecoder()`. */
export interface DecoderOptions {
  /**
   * Size of the read buffer (`decoder.input`) in bytes: default 256 KiB, at least 272 (one
   * event with a 255-byte name), at most 64 MiB. Fixed for the decoder's life.
   */
  inputBytes?: number;
  /**
   * Use the debug build of the wasm module (assertions on, debug info). For tests; slower.
   * Ignored by the reference decoder.
   */
  debug?: boolean;
}

/** Which implementation a decoder runs. */
export type DecoderImplementation = 'wasm' | 'wasm-debug' | 'reference';

/**
 * An inotify event-buffer decoder. Fill `input` from offset 0 (`syscall.read(fd, decoder.input)`),
 * then call `decode(bytesRead)`.
 */
export interface Decoder {
  /**
   * The read buffer: `capacity` bytes the kernel's events are read into. For the wasm decoder
   * this is a view on its WebAssembly memory (no copy between read and decode). Its memory
   * never grows, so the view stays valid for the decoder's life.
   */
  readonly input: Uint8Array;
  /** `input.length`: the most bytes one `decode()` accepts. */
  readonly capacity: number;
  /** Which implementation this is (the wasm one falls back to 'reference' without WebAssembly). */
  readonly implementation: DecoderImplementation;
  /**
   * Decodes the first `byteLength` bytes of `input`. A malformed buffer does not throw: the
   * batch holds the events before the bad point and `error` says what and where.
   * The previous batch of this decoder becomes stale.
   *
   * @throws RangeError when `byteLength` is not an integer from 0 to `capacity`.
   */
  decode(byteLength: number): EventBatch;
}
