/**
 * Terminal colors: on only where a person reads the output.
 *
 * The rules, in order (the same as Node's own `tty.WriteStream#hasColors` and the
 * NO_COLOR / FORCE_COLOR conventions):
 * 1. `FORCE_COLOR` set: colors unless it is `0` or `false`, even into a pipe.
 * 2. `NO_COLOR` set and not empty: no colors (https://no-color.org).
 * 3. the stream is not a TTY, or `TERM=dumb`: no colors.
 * 4. otherwise colors.
 */

/** The environment variables the color decision reads. */
export type ColorEnv = Readonly<Record<string, string | undefined>>;

/**
 * Decides whether output written to `stream` gets ANSI colors.
 *
 * @param stream - the stream the text goes to; only its `isTTY` is read.
 * @param env - the environment, `process.env` in the program.
 */
export function colorEnabled(stream: { readonly isTTY?: boolean }, env: ColorEnv): boolean {
  const force = env['FORCE_COLOR'];
  if (force !== undefined) return force !== '0' && force !== 'false';
  const noColor = env['NO_COLOR'];
  if (noColor !== undefined && noColor !== '') return false;
  if (stream.isTTY !== true) return false;
  return env['TERM'] !== 'dumb';
}

/** A function that wraps text in one style, or returns it unchanged when colors are off. */
export type Style = (text: string) => string;

/** The styles the program uses, all identity functions when colors are off. */
export interface Palette {
  readonly dim: Style;
  readonly bold: Style;
  readonly red: Style;
  readonly green: Style;
  readonly yellow: Style;
  readonly blue: Style;
  readonly magenta: Style;
  readonly cyan: Style;
}

const plain: Style = (text) => text;

function sgr(open: number, close: number): Style {
  return (text) => `\x1b[${open}m${text}\x1b[${close}m`;
}

/**
 * Builds the palette: real ANSI styles when `enabled`, identity functions otherwise.
 *
 * @param enabled - the result of {@link colorEnabled}.
 */
export function palette(enabled: boolean): Palette {
  if (!enabled) {
    return {
      dim: plain,
      bold: plain,
      red: plain,
      green: plain,
      yellow: plain,
      blue: plain,
      magenta: plain,
      cyan: plain,
    };
  }
  return {
    dim: sgr(2, 22),
    bold: sgr(1, 22),
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    blue: sgr(34, 39),
    magenta: sgr(35, 39),
    cyan: sgr(36, 39),
  };
}
