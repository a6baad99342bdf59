/**
 * One event, one line: the Python original's `log` line, a short `text` line, or a JSON record
 * (schema v1 of `@inotify-ts/record`).
 */
import { join } from 'node:path';
import { IN_Q_OVERFLOW, type InotifyEvent } from '@inotify-ts/inotify';
import type { Palette } from './colors.js';
import { PROGRAM } from './errors.js';
import { JsonRecords } from './json-format.js';
import type { Format } from './options.js';

/** Turns one event, seen at `now`, into one line of output without the trailing newline. */
export type Formatter = (event: InotifyEvent, now: Date) => string;

/** What the formatters need besides the event. */
export interface FormatContext {
  /** Print the watched path too (`PATH=[…]` in `log`): true with `-r` or several paths. */
  readonly showPath: boolean;
  /** Styles for `text`; the other formats never color. */
  readonly colors: Palette;
  /** The records of `json` (one identity and sequence per run); a new one when not given. */
  readonly records?: JsonRecords;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/**
 * Python logging's `%(asctime)s`: local time, `2015-04-24 05:02:06,667` (a comma before the milliseconds).
 *
 * @param date - the moment to print.
 */
export function pythonTimestamp(date: Date): string {
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1, 2)}-${pad(date.getDate(), 2)} ` +
    `${pad(date.getHours(), 2)}:${pad(date.getMinutes(), 2)}:${pad(date.getSeconds(), 2)},` +
    pad(date.getMilliseconds(), 3)
  );
}

/**
 * Python's `repr()` of a list of plain identifiers: `['IN_CREATE', 'IN_ISDIR']`, `[]`.
 *
 * @param names - mask names; they never hold quotes or backslashes.
 */
export function pythonListRepr(names: readonly string[]): string {
  return `[${names.map((name) => `'${name}'`).join(', ')}]`;
}

const ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Makes a name safe to print on a line in a terminal: control characters (C0, DEL, C1) become
 * `\n`, `\t`, `\r` or `\xNN`, so that a file name can neither break the line nor send escape
 * sequences. Every other character, U+FFFD for undecodable bytes included, is kept. The `json`
 * format carries the exact bytes.
 *
 * @param text - a file or path name.
 */
export function escapeControl(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (char) => {
    return ESCAPES[char] ?? `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}

/** The path an event is about: the watched path, joined with the file name when there is one. */
export function eventPath(event: InotifyEvent): string {
  return event.filename === '' ? event.path : join(event.path, event.filename);
}

/**
 * The original example's line, word for word:
 * `2015-04-24 05:02:06,667 - inotify-demo - INFO - WD=(1) MASK=(256) COOKIE=(0) LEN=(16) MASK->NAMES=['IN_CREATE'] FILENAME=[aa]`.
 * The logger is named after the program; an overflow is logged at level WARNING. With
 * `showPath`, `PATH=[…]` (the watched directory) comes before `FILENAME`; an event a recursive
 * tree made up (an entry found by scanning a new directory) ends with `SYNTHETIC=(True)`.
 */
function logLine(event: InotifyEvent, now: Date, showPath: boolean): string {
  const { wd, mask, cookie, len } = event.header;
  const level = (mask & IN_Q_OVERFLOW) !== 0 ? 'WARNING' : 'INFO';
  const path = showPath ? ` PATH=[${escapeControl(event.path)}]` : '';
  const synthetic = event.synthetic === true ? ' SYNTHETIC=(True)' : '';
  return (
    `${pythonTimestamp(now)} - ${PROGRAM} - ${level} - WD=(${wd}) MASK=(${mask}) COOKIE=(${cookie}) ` +
    `LEN=(${len}) MASK->NAMES=${pythonListRepr(event.typeNames)}${path} FILENAME=[${escapeControl(event.filename)}]` +
    synthetic
  );
}

/** The color of an event in `text`, chosen by what happened. */
function eventStyle(names: readonly string[], colors: Palette): (text: string) => string {
  const has = (name: string) => names.includes(name);
  if (has('IN_Q_OVERFLOW')) return (text) => colors.bold(colors.red(text));
  if (has('IN_CREATE') || has('IN_MOVED_TO')) return colors.green;
  if (has('IN_DELETE') || has('IN_DELETE_SELF') || has('IN_MOVED_FROM') || has('IN_UNMOUNT'))
    return colors.red;
  if (has('IN_MODIFY') || has('IN_CLOSE_WRITE')) return colors.yellow;
  if (has('IN_ATTRIB')) return colors.magenta;
  if (has('IN_MOVE_SELF')) return colors.cyan;
  if (has('IN_IGNORED')) return colors.dim;
  return colors.blue;
}

/** `05:02:06.667  CREATE,ISDIR   /tmp/dir1`: local time, inotifywait's event names, the full path. */
function textLine(event: InotifyEvent, now: Date, colors: Palette): string {
  const time = `${pad(now.getHours(), 2)}:${pad(now.getMinutes(), 2)}:${pad(now.getSeconds(), 2)}.${pad(now.getMilliseconds(), 3)}`;
  const names = event.typeNames.map((name) => name.replace(/^IN_/, '')).join(',');
  const style = eventStyle(event.typeNames, colors);
  const path = event.header.wd === -1 ? '(event queue overflowed: events were lost)' : eventPath(event);
  const synthetic = event.synthetic === true ? colors.dim(' (found by scan)') : '';
  return `${colors.dim(time)}  ${style(names.padEnd(16))} ${escapeControl(path)}${synthetic}`;
}

/**
 * The formatter for `format`.
 *
 * @param format - `log`, `text` or `json`.
 * @param context - whether to show watched paths, and the color palette.
 */
export function formatter(format: Format, context: FormatContext): Formatter {
  switch (format) {
    case 'log':
      return (event, now) => logLine(event, now, context.showPath);
    case 'text':
      return (event, now) => textLine(event, now, context.colors);
    case 'json': {
      const records = context.records ?? new JsonRecords();
      return (event) => records.event(event);
    }
  }
}
