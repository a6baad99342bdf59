/**
 * `@inotify-ts/decoder`: decodes the bytes read from an inotify file descriptor into
 * columns of events, in WebAssembly, without copying the read buffer; plus every `IN_*`
 * constant and `maskNames()`.
 *
 * @packageDocumentation
 */

export type { EventBatch } from './batch.js';
export * from './constants.js';
export type { Decoder, DecoderImplementation, DecoderOptions } from './decoder.js';
export { DecodeError, type DecodeErrorCode } from './errors.js';
export { DEFAULT_INPUT_BYTES, MAX_INPUT_BYTES, MIN_INPUT_BYTES } from './layout.js';
export { MASK_NAMES_CACHE_LIMIT, maskNames } from './mask.js';
export { createReferenceDecoder } from './reference.js';
export { createDecoder } from './wasm.js';
