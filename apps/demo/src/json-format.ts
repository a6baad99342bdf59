/**
 * `--format json`: one event as one NDJSON line. Kept apart from the other formats so that the
 * record can change (or be versioned) in this one place.
 */
import type { InotifyEvent } from '@inotify-ts/inotify';

/**
 * The event as one JSON object, every field: `time` (ISO 8601, UTC), the header fields, `typeNames`,
 * `path`, `filename` (UTF-8, U+FFFD for bytes that are not) and `filenameBase64`, the name's exact
 * bytes, which recover any name, including one that is not UTF-8, and `synthetic` (true for an
 * entry a recursive tree found by scanning rather than from the kernel). Built by `JSON.stringify`, so
 * quotes, newlines and control characters are escaped.
 */
export function jsonLine(event: InotifyEvent, now: Date): string {
  const bytes = event.filenameBytes;
  return JSON.stringify({
    time: now.toISOString(),
    wd: event.header.wd,
    mask: event.header.mask,
    cookie: event.header.cookie,
    len: event.header.len,
    typeNames: event.typeNames,
    path: event.path,
    filename: event.filename,
    filenameBase64: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
    synthetic: event.synthetic === true,
  });
}
