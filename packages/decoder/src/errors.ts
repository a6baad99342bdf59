import { EVENT_HEADER_BYTES } from './constants.js';

/** The codes a {@link DecodeError} can carry. */
export type DecodeErrorCode = 'ERR_INOTIFY_TRUNCATED_HEADER' | 'ERR_INOTIFY_NAME_OVERRUN';

/**
 * A malformed event buffer: returned in `EventBatch.error`, never thrown by `decode()`.
 *
 * The events before `offset` were decoded and are in the batch; nothing at or after it is.
 */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  /** What was wrong: a header cut short, or a `len` that runs past the bytes read. */
  readonly code: DecodeErrorCode;
  /** Byte offset (from the start of the buffer) of the event header where decoding stopped. */
  readonly offset: number;
  /** The number of bytes that were being decoded (the `byteLength` given to `decode()`). */
  readonly byteLength: number;
  /** The event's `len` field for ERR_INOTIFY_NAME_OVERRUN; `null` when no header could be read. */
  readonly eventLen: number | null;

  /** @internal Use {@link decodeError}: both decoders build their errors there. */
  constructor(
    code: DecodeErrorCode,
    message: string,
    offset: number,
    byteLength: number,
    eventLen: number | null,
  ) {
    super(message);
    this.code = code;
    this.offset = offset;
    this.byteLength = byteLength;
    this.eventLen = eventLen;
  }
}

/** Error kinds as numbered by the wasm module (assembly/index.ts: ERR_*). */
export const ERR_TRUNCATED_HEADER = 1;
/** See {@link ERR_TRUNCATED_HEADER}. */
export const ERR_NAME_OVERRUN = 2;

/**
 * Builds the error for a malformed event at `offset` in a buffer of `byteLength` bytes.
 * The one place error text is made, so that both decoders report identical errors.
 */
export function decodeError(kind: number, offset: number, byteLength: number, eventLen: number): DecodeError {
  const remaining = byteLength - offset;
  if (kind === ERR_TRUNCATED_HEADER) {
    return new DecodeError(
      'ERR_INOTIFY_TRUNCATED_HEADER',
      `inotify event buffer is truncated at offset ${offset}: an event header needs ${EVENT_HEADER_BYTES} ` +
        `bytes but only ${remaining} of the ${byteLength} bytes read remain`,
      offset,
      byteLength,
      null,
    );
  }
  if (kind === ERR_NAME_OVERRUN) {
    return new DecodeError(
      'ERR_INOTIFY_NAME_OVERRUN',
      `inotify event at offset ${offset} has len ${eventLen}, which runs past the end of the ` +
        `${byteLength} bytes read (only ${remaining - EVENT_HEADER_BYTES} bytes follow its header)`,
      offset,
      byteLength,
      eventLen,
    );
  }
  throw new Error(`internal error: unknown decode error kind ${kind} at offset ${offset}`);
}

/**
 * Checks the argument of `decode()`.
 *
 * @throws RangeError when `byteLength` is not an integer from 0 to `capacity`.
 */
export function checkByteLength(byteLength: number, capacity: number): void {
  if (!Number.isInteger(byteLength) || byteLength < 0 || byteLength > capacity) {
    throw new RangeError(
      `decode(byteLength): byteLength must be an integer from 0 to the input capacity ${capacity}, ` +
        `got ${String(byteLength)}`,
    );
  }
}
