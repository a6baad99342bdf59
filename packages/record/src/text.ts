/**
 * Names and paths are bytes to the kernel. A record carries them as JSON strings, which must be
 * valid Unicode, so bytes that are not UTF-8 travel twice: as a string with U+FFFD in place of
 * the bad bytes (readable) and as base64 of the exact bytes (lossless).
 */
import { Buffer, isUtf8 } from 'node:buffer';

/** The text of `bytes`, and their base64 when they are not valid UTF-8. */
export interface TextAndBytes {
  readonly text: string;
  readonly b64?: string;
}

const EMPTY: TextAndBytes = { text: '' };

/** Splits `bytes` into readable text and, where the text is lossy, the exact bytes in base64. */
export function textOf(bytes: Uint8Array): TextAndBytes {
  if (bytes.byteLength === 0) return EMPTY;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isUtf8(buffer)) return { text: buffer.toString('utf8') };
  return { text: buffer.toString('utf8'), b64: buffer.toString('base64') };
}

/**
 * The exact bytes a record names: base64 when present, else the UTF-8 of the text. This is what
 * a consumer passes to the file system.
 */
export function bytesOf(text: string, b64: string | undefined): Buffer {
  return b64 === undefined ? Buffer.from(text, 'utf8') : Buffer.from(b64, 'base64');
}
