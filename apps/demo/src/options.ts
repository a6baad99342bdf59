/**
 * The command line: commander builds `--help` and `--version` from the declarations below,
 * and hands back one typed {@link Options} object.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { PROGRAM } from './errors.js';
import { DEFAULT_MASK, eventMask, INOTIFYWAIT_EVENTS } from './event-names.js';

/** The output formats: `log` is the Python original example's line, `text` is short, `json` is NDJSON. */
export const FORMATS = ['log', 'text', 'json'] as const;

/** One of {@link FORMATS}. */
export type Format = (typeof FORMATS)[number];

/** Everything the command line asks for, parsed and checked. */
export interface Options {
  /** The paths to watch; `['/tmp']` when none are given, as in the original example. */
  readonly paths: readonly string[];
  /** Watch whole trees (an `InotifyTree` per path). */
  readonly recursive: boolean;
  /** The watch mask: the union of every `-e`, or `IN_ALL_EVENTS`. */
  readonly mask: number;
  /** `--exclude`: directories (with `-r`) and events whose full path matches are left out. */
  readonly exclude: RegExp | undefined;
  /** `-t`: exit with code 2 after this many seconds without an event; 0 waits for ever. */
  readonly timeoutS: number;
  /** `--format`. */
  readonly format: Format;
  /** How many times `-q` was given: 1 hides the set-up messages, 2 hides warnings too. */
  readonly quiet: number;
  /** `--stats`: count events per path and type, and print the table instead of event lines. */
  readonly stats: boolean;
}

/** The outcome of parsing: options to run with, or an exit code when commander already answered. */
export type Parsed = { readonly options: Options } | { readonly exitCode: number };

/** Where commander writes help, version and errors; the process streams in the program. */
export interface ParseOutput {
  writeOut(text: string): void;
  writeErr(text: string): void;
}

/** The version in this package's package.json. */
export function packageVersion(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  const version = (JSON.parse(text) as { version?: unknown }).version;
  return typeof version === 'string' ? version : '0.0.0';
}

function collectMask(value: string, previous: number): number {
  const mask = eventMask(value);
  if (typeof mask !== 'number') throw new InvalidArgumentError(`${mask.error}.`);
  return previous | mask;
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds < 0) {
    throw new InvalidArgumentError('expected a number of seconds, 0 or more.');
  }
  return seconds;
}

function parsePattern(value: string): RegExp {
  try {
    return new RegExp(value);
  } catch (error) {
    throw new InvalidArgumentError(`not a valid regular expression: ${(error as Error).message}.`);
  }
}

function increase(_value: string, previous: number): number {
  return previous + 1;
}

const EXIT_CODES = `
Exit codes (as inotifywait):
  0  stopped normally: Ctrl-C, SIGTERM, or no watches left
  1  an error: a path that cannot be watched, a bad option, a watch limit
  2  -t/--timeout passed without an event

Examples:
  $ ${PROGRAM}                         # watch /tmp, print the Python example's log lines
  $ ${PROGRAM} -r --format text ~/src  # a whole tree, short colored lines
  $ ${PROGRAM} -e create -e delete --format json /var/spool/in | jq .
  $ ${PROGRAM} -r --stats --exclude '/(\\.git|node_modules)$' .
`;

/** Builds the commander program; exported so that the help text can be checked without a process. */
export function buildProgram(output: ParseOutput): Command {
  const events = [...INOTIFYWAIT_EVENTS.keys()].join(', ');
  return new Command(PROGRAM)
    .description(
      'Watch files and directories with Linux inotify and print one line per event: the Python ' +
        "inotify package's example, grown into an inotifywait-like tool.",
    )
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'print this help and exit')
    .argument('[paths...]', 'files or directories to watch (default: /tmp)')
    .option('-r, --recursive', 'watch every directory under each path, and new ones as they appear')
    .addOption(
      new Option(
        '-e, --event <name>',
        `watch only these events; repeatable or comma-separated: ${events}, or IN_* constants`,
      )
        .argParser(collectMask)
        .default(0, 'every event'),
    )
    .option(
      '--exclude <pattern>',
      'a JavaScript regular expression over full paths: with -r, matching directories are never ' +
        'watched; matching events are not printed',
      parsePattern,
    )
    .option(
      '-t, --timeout <seconds>',
      'exit with code 2 after this many seconds without an event (0: never)',
      parseSeconds,
      0,
    )
    .addOption(new Option('--format <format>', 'how events are printed').choices(FORMATS).default('log'))
    .option(
      '-q, --quiet',
      "once: no 'Setting up watches'/'Watches established' messages and no progress; twice: no warnings either",
      increase,
      0,
    )
    .option(
      '--stats',
      'count events per path and event type, and print the table (like inotifywatch) instead of ' +
        'event lines: at exit, and refreshed in place with events/s while stdout is a terminal',
    )
    .addHelpText('after', EXIT_CODES)
    .configureOutput({
      writeOut: (text) => output.writeOut(text),
      writeErr: (text) => output.writeErr(text),
      outputError: (text, write) => write(`${PROGRAM}: ${text.replace(/^error: /, '')}`),
    })
    .exitOverride()
    .allowExcessArguments(false);
}

/**
 * Parses the command line.
 *
 * @param argv - the arguments after the program (`process.argv.slice(2)`).
 * @param output - where help, the version and usage errors go.
 * @returns the options, or the exit code when commander printed help (0), the version (0)
 *   or a usage error (1).
 */
export function parseOptions(argv: readonly string[], output: ParseOutput): Parsed {
  const program = buildProgram(output);
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return { exitCode: error.exitCode === 0 ? 0 : 1 };
    throw error;
  }
  const raw = program.opts<{
    recursive?: boolean;
    event: number;
    exclude?: RegExp;
    timeout: number;
    format: Format;
    quiet: number;
    stats?: boolean;
  }>();
  const paths = program.processedArgs[0] as string[] | undefined;
  return {
    options: {
      paths: paths !== undefined && paths.length > 0 ? paths : ['/tmp'],
      recursive: raw.recursive === true,
      mask: raw.event === 0 ? DEFAULT_MASK : raw.event >>> 0,
      exclude: raw.exclude,
      timeoutS: raw.timeout,
      format: raw.format,
      quiet: raw.quiet,
      stats: raw.stats === true,
    },
  };
}
