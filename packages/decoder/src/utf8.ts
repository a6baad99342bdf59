/**
 * UTF-8 to string, the one decoder both implementations use (so they agree on every byte).
 *
 * `ignoreBOM: true`: a file name may start with U+FEFF, which must be kept. Not fatal: a
 * byte sequence that is not UTF-8 becomes U+FFFD (one per maximal invalid subpart, as the
 * WHATWG Encoding Standard says); it never throws.
 */
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** Decodes `bytes[start, end)`. */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  return utf8.decode(bytes.subarray(start, end));
}
