/**
 * inotifywait's own output: `--format` with its printf-like directives, `-c/--csv`, and the
 * default line `%w %,e %f`. Lines are bytes, not strings, so that a path or a name that is not
 * UTF-8 is printed exactly as the kernel and the command line gave it, as inotifywait does.
 */
import { inotifywaitNames } from './event-names.js';
import { strftime } from './strftime.js';

/** What one inotifywait line is made of. */
export interface EventFields {
  /** `%w`: the watch's name: the path as given, with a `/` added for a directory; empty for an overflow. */
  readonly watch: Uint8Array;
  /** `%f`: the name in the directory, empty for events on the watch itself. */
  readonly name: Uint8Array;
  readonly mask: number;
  readonly cookie: number;
}

/** Turns one event, seen at `now`, into the bytes to print (the newline included). */
export type ByteFormatter = (fields: EventFields, now: Date) => Buffer;

/** inotifywait's line when neither `--format` nor `--csv` is given. */
export const INOTIFYWAIT_DEFAULT_FORMAT = '%w %,e %f';

/**
 * Compiles an inotifywait `--format`: `%w` the watch, `%f` the name, `%e` the event names
 * separated by commas, `%Xe` separated by the character X, `%c` the cookie in hexadecimal,
 * `%T` the time as `--timefmt` says (empty without it), `%n` a newline, `%0` a NUL byte,
 * `%%` a percent sign. Any other `%X` is printed as it is; a lone `%` at the end ends the
 * line there, as in inotifywait.
 *
 * @param format - the format; `--no-newline` leaves the newline out.
 * @param timefmt - `--timefmt`, or undefined.
 * @param newline - whether to end each event with a newline.
 */
export function compileFormat(format: string, timefmt: string | undefined, newline: boolean): ByteFormatter {
  type Part = string | ((fields: EventFields, now: Date) => string | Uint8Array);
  const parts: Part[] = [];
  let literal = '';
  const push = (part: Part) => {
    if (literal !== '') parts.push(literal);
    literal = '';
    parts.push(part);
  };
  for (let i = 0; i < format.length; i++) {
    const char = format[i]!;
    if (char !== '%') {
      literal += char;
      continue;
    }
    if (i === format.length - 1) break;
    const next = format[i + 1]!;
    i++;
    if (next === '%') literal += '%';
    else if (next === '0') literal += '\0';
    else if (next === 'n') literal += '\n';
    else if (next === 'w') push((fields) => fields.watch);
    else if (next === 'f') push((fields) => fields.name);
    else if (next === 'c') push((fields) => fields.cookie.toString(16));
    else if (next === 'e') push((fields) => inotifywaitNames(fields.mask));
    else if (next === 'T') push((_, now) => (timefmt === undefined ? '' : strftime(timefmt, now)));
    else if (i < format.length - 1 && format[i + 1] === 'e') {
      push((fields) => inotifywaitNames(fields.mask, next));
      i++;
    } else literal += `%${next}`;
  }
  if (newline) literal += '\n';
  if (literal !== '') parts.push(literal);
  return (fields, now) =>
    Buffer.concat(
      parts.map((part) => {
        const value = typeof part === 'string' ? part : part(fields, now);
        return typeof value === 'string' ? Buffer.from(value) : value;
      }),
    );
}

const QUOTE = 0x22;

/**
 * One CSV field as inotifywait writes it: quoted, with quotes doubled, when it holds a quote, a
 * comma or a newline, or starts or ends with a space; as it is otherwise.
 */
function csvField(bytes: Uint8Array): Buffer {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const needs =
    text.includes(QUOTE) ||
    text.includes(0x2c) ||
    text.includes(0x0a) ||
    (text.length > 0 && (text[0] === 0x20 || text[text.length - 1] === 0x20));
  if (!needs) return text;
  const out: number[] = [QUOTE];
  for (const byte of text) {
    if (byte === QUOTE) out.push(QUOTE);
    out.push(byte);
  }
  out.push(QUOTE);
  return Buffer.from(out);
}

/**
 * `-c/--csv`: `watch,events,name`. As in inotifywait, an event without a watch (an overflow)
 * has no first field at all, not an empty one.
 */
export const csvLine: ByteFormatter = (fields) => {
  const parts: Buffer[] = [];
  if (fields.watch.length > 0) parts.push(csvField(fields.watch), Buffer.from(','));
  parts.push(csvField(Buffer.from(inotifywaitNames(fields.mask))), Buffer.from(','));
  parts.push(csvField(fields.name), Buffer.from('\n'));
  return Buffer.concat(parts);
};
