/**
 * The naive decoder: a per-event parser of the kind typical Node code uses, written
 * carefully (bounded by len, NUL found with indexOf) but object-per-event:
 * `buf.readInt32LE` / `buf.readUInt32LE` for the header and `buf.toString('utf8', …)`
 * for the name of every event.
 */

/** One event as the naive parser returns it. */
export interface NaiveEvent {
  wd: number;
  mask: number;
  cookie: number;
  len: number;
  name: string;
}

/** Parses `byteLength` bytes of `buf` into an array of event objects. */
export function naiveParse(buf: Buffer, byteLength: number): NaiveEvent[] {
  const events: NaiveEvent[] = [];
  let offset = 0;
  while (offset + 16 <= byteLength) {
    const wd = buf.readInt32LE(offset);
    const mask = buf.readUInt32LE(offset + 4);
    const cookie = buf.readUInt32LE(offset + 8);
    const len = buf.readUInt32LE(offset + 12);
    const start = offset + 16;
    const limit = start + len;
    if (limit > byteLength) throw new Error(`event at ${offset} runs past the end`);
    let name = '';
    if (len > 0) {
      const nul = buf.indexOf(0, start);
      name = buf.toString('utf8', start, nul === -1 || nul > limit ? limit : nul);
    }
    events.push({ wd, mask, cookie, len, name });
    offset = limit;
  }
  return events;
}
