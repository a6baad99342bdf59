/**
 * The command line's exact bytes. `process.argv` decodes arguments as UTF-8 and turns bytes
 * that are not into U+FFFD, so a path argument such as `bad\xff` would name a file that does
 * not exist. `/proc/self/cmdline` still holds the bytes: this module maps each argument that
 * did not survive decoding back to them, so that it can be watched by its real name.
 */
import { readFileSync } from 'node:fs';

/**
 * The arguments whose text in `process.argv` is not their real bytes, by that text.
 *
 * @param argv - the arguments after the script (`process.argv.slice(2)`).
 * @returns text -> exact bytes; empty when every argument is valid UTF-8 or /proc is missing.
 */
export function rawArguments(argv: readonly string[]): ReadonlyMap<string, Uint8Array> {
  const lossy = argv.filter((arg) => arg.includes('\uFFFD'));
  if (lossy.length === 0) return new Map();
  let cmdline: Buffer;
  try {
    cmdline = readFileSync('/proc/self/cmdline');
  } catch {
    return new Map();
  }
  const words: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < cmdline.length; i++) {
    if (cmdline[i] === 0) {
      words.push(cmdline.subarray(start, i));
      start = i + 1;
    }
  }
  // The script's arguments are the last ones, whatever node options come before the script.
  const tail = words.slice(words.length - argv.length);
  const map = new Map<string, Uint8Array>();
  tail.forEach((bytes, i) => {
    const text = argv[i];
    if (text !== undefined && bytes.toString('utf8') === text && !Buffer.from(text).equals(bytes)) {
      map.set(text, new Uint8Array(bytes));
    }
  });
  return map;
}
