import type { Decoder, DecoderOptions } from '../src/decoder.js';
import { createDecoder, createReferenceDecoder } from '../src/index.js';

/** The implementations every behavioural test runs against: the wasm debug build and the reference. */
export const implementations: readonly [string, (options?: DecoderOptions) => Decoder][] = [
  ['wasm (debug build)', (options) => createDecoder({ ...options, debug: true })],
  ['reference', (options) => createReferenceDecoder(options)],
];
