import { EVENT_HEADER_BYTES } from '../src/constants.js';
import type { Decoder } from '../src/decoder.js';
import type { EventBatch } from '../src/index.js';

/** One event to encode: `name` is a string (UTF-8) or exact bytes; `len` overrides the padded length. */
export interface EventSpec {
  wd: number;
  mask: number;
  cookie?: number;
  name?: string | Uint8Array;
  len?: number;
}

/** The plain-object form of an event, for assertions. */
export interface DecodedEvent {
  wd: number;
  mask: number;
  cookie: number;
  len: number;
  name: string;
  nameBytes: number[];
}

/** The kernel's padding: the name, its NUL, rounded up to 16; 0 for no name. */
export const paddedLength = (nameBytes: number): number =>
  nameBytes === 0 ? 0 : Math.ceil((nameBytes + 1) / EVENT_HEADER_BYTES) * EVENT_HEADER_BYTES;

/** Encodes events as the kernel lays them out (little-endian `struct inotify_event`s). */
export function encodeEvents(events: readonly EventSpec[]): Uint8Array {
  const parts = events.map((event) => {
    const name =
      typeof event.name === 'string'
        ? new TextEncoder().encode(event.name)
        : (event.name ?? new Uint8Array());
    const len = event.len ?? paddedLength(name.length);
    const bytes = new Uint8Array(EVENT_HEADER_BYTES + len);
    const view = new DataView(bytes.buffer);
    view.setInt32(0, event.wd, true);
    view.setUint32(4, event.mask >>> 0, true);
    view.setUint32(8, (event.cookie ?? 0) >>> 0, true);
    view.setUint32(12, len, true);
    bytes.set(name.subarray(0, len), EVENT_HEADER_BYTES);
    return bytes;
  });
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Copies `bytes` into the decoder's input and decodes them. */
export function decodeBytes(decoder: Decoder, bytes: Uint8Array): EventBatch {
  decoder.input.set(bytes);
  return decoder.decode(bytes.length);
}

/** The events of a batch as plain objects. */
export function eventsOf(batch: EventBatch): DecodedEvent[] {
  const events: DecodedEvent[] = [];
  for (let i = 0; i < batch.count; i++) {
    events.push({
      wd: batch.wd[i]!,
      mask: batch.mask[i]!,
      cookie: batch.cookie[i]!,
      len: batch.len[i]!,
      name: batch.name(i),
      nameBytes: [...batch.nameBytes(i)],
    });
  }
  return events;
}

/** Everything a batch says, errors included, as plain data. */
export function summary(batch: EventBatch) {
  const { error } = batch;
  return {
    count: batch.count,
    events: eventsOf(batch),
    error:
      error === null
        ? null
        : {
            name: error.name,
            code: error.code,
            offset: error.offset,
            byteLength: error.byteLength,
            eventLen: error.eventLen,
            message: error.message,
          },
  };
}
