/**
 * The command lines: commander builds `--help` and `--version` from the declarations below,
 * and hands back one typed {@link Options} object. Three commands share them:
 * `inotify-demo` (the Python example grown into an inotifywait; monitors by default),
 * `inotify-demo-wait` (inotifywait's defaults: one event unless `-m`, inotifywait's line) and
 * `inotify-demo-watch` (inotifywatch: a table of counts).
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { PROGRAM } from './errors.js';
import { DEFAULT_MASK, eventMask, INOTIFYWAIT_EVENTS } from './event-names.js';
import { type EventFilter, eventFilter } from './filters.js';
import { INOTIFYWAIT_DEFAULT_FORMAT } from './printf.js';

/** Which command runs. */
export type Mode = 'demo' | 'wait' | 'watch';

/** The command's name for each mode. */
export const COMMANDS: Readonly<Record<Mode, string>> = {
  demo: PROGRAM,
  wait: `${PROGRAM}-wait`,
  watch: `${PROGRAM}-watch`,
};

/** The named output formats: `log` is the Python original example's line, `text` is short, `json` is NDJSON. */
export const FORMATS = ['log', 'text', 'json'] as const;

/** One of {@link FORMATS}. */
export type Format = (typeof FORMATS)[number];

/** How events are printed. */
export type Output =
  | { readonly kind: Format }
  | { readonly kind: 'printf'; readonly format: string }
  | { readonly kind: 'csv' };

/** A path to watch: its text, and its exact bytes when they are not valid UTF-8. */
export interface PathArg {
  readonly text: string;
  readonly bytes: Buffer | undefined;
}

/** inotifywatch's `-a`/`-d`: the column to sort rows by (0 for `total`) and the direction. */
export interface SortKey {
  readonly event: number;
  readonly ascending: boolean;
}

/** Everything the command line asks for, parsed and checked. */
export interface Options {
  readonly mode: Mode;
  /** The paths to watch (`@path` arguments and `--fromfile` lines included). */
  readonly paths: readonly PathArg[];
  /** `@path`: paths never watched (with `-r`, directories the tree skips). */
  readonly excluded: readonly string[];
  /** Watch whole trees (an `InotifyTree` per path). */
  readonly recursive: boolean;
  /** The events asked for with `-e`, or `DEFAULT_MASK` (every event) without it. */
  readonly mask: number;
  /** Whether `-e` was given: then only events carrying one of its bits are printed. */
  readonly eventsGiven: boolean;
  /** `--exclude`/`--include` (regular expressions, `i` for case-insensitive) and the glob options. */
  readonly filter: EventFilter | undefined;
  /** `-t`: wait/demo: exit with code 2 after this many seconds without an event; watch: gather this long. 0: never. */
  readonly timeoutS: number;
  /** How events are printed. */
  readonly output: Output;
  /** `--timefmt`, for `%T`. */
  readonly timefmt: string | undefined;
  /** False with `--no-newline`. */
  readonly newline: boolean;
  /** How many times `-q` was given: 1 hides the set-up messages, 2 hides events and warnings too. */
  readonly quiet: number;
  /** `--stats`: count events per path and type, and print the table instead of event lines. */
  readonly stats: boolean;
  /** `-m`: keep printing events; otherwise exit after the first. */
  readonly monitor: boolean;
  /** `-d`: monitor in the background, events to `--outfile`, messages to syslog. */
  readonly daemon: boolean;
  /** `-s`: messages to syslog instead of stderr. */
  readonly syslog: boolean;
  /** `-o`: events appended to this file instead of stdout. */
  readonly outfile: string | undefined;
  /** `-P`: do not follow symbolic links (`IN_DONT_FOLLOW`). */
  readonly noDereference: boolean;
  /** Watch mode `-z`: keep rows and columns of zeros. */
  readonly zero: boolean;
  /** Watch mode `-a`/`-d`. */
  readonly sort: SortKey;
  /** Watch mode `-v`. */
  readonly verbose: boolean;
  /** `--output nats://…`, `--subject`, `--stream`: records go to JetStream instead of stdout. */
  readonly nats: NatsOutput | undefined;
  /** `--state`: the snapshot file for recovery across restarts. */
  readonly stateFile: string | undefined;
  /** `--state-interval`: seconds between snapshot saves while running. */
  readonly stateIntervalS: number;
}

/** Where `--output` sends records: a JetStream server, a subject, and the stream to create when missing. */
export interface NatsOutput {
  readonly url: string;
  readonly subject: string;
  readonly stream: string;
}

/** `--subject` and `--stream` without the option. */
export const DEFAULT_SUBJECT = 'inotify.records';
export const DEFAULT_STREAM = 'INOTIFY';

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

function checkPattern(value: string): string {
  try {
    new RegExp(value);
  } catch (error) {
    throw new InvalidArgumentError(`not a valid regular expression: ${(error as Error).message}.`);
  }
  return value;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function increase(_value: string, previous: number): number {
  return previous + 1;
}

function parseSortKey(value: string): number {
  if (value.toLowerCase() === 'total') return 0;
  if (value.toLowerCase() === 'move' || value.toLowerCase() === 'close') {
    const pair =
      value.toLowerCase() === 'move' ? "'moved_from' or 'moved_to'" : "'close_write' or 'close_nowrite'";
    throw new InvalidArgumentError(`cannot sort by '${value}', which is two events: use ${pair}.`);
  }
  const bits = INOTIFYWAIT_EVENTS.get(value.toLowerCase());
  if (bits === undefined) {
    throw new InvalidArgumentError(
      `'${value}' is not a key to sort by: use total or one of ${[...INOTIFYWAIT_EVENTS.keys()].join(', ')}.`,
    );
  }
  return bits;
}

const EXIT_CODES: Readonly<Record<Mode, string>> = {
  demo: `
Exit codes (as inotifywait -m):
  0  stopped normally: Ctrl-C, SIGTERM, or no watches left
  1  an error: a path that cannot be watched, a bad option, a watch limit, a failed write
  2  -t/--timeout passed without an event

Examples:
  $ ${PROGRAM}                         # watch /tmp, print the Python example's log lines
  $ ${PROGRAM} -r --format text ~/src  # a whole tree, short colored lines
  $ ${PROGRAM} -e create -e delete --format json /var/spool/in | jq .
  $ ${PROGRAM} -r --format '%T %w%f %e' --timefmt '%F %T' .
  $ ${PROGRAM} -r --stats --exclude '/(\\.git|node_modules)$' .
  $ ${PROGRAM} --output nats://127.0.0.1:4222 --subject files.events --state /var/tmp/src.state ~/src
`,
  wait: `
Exit codes (as inotifywait):
  0  an event you asked for was received (-m: stopped normally)
  1  an event you did not ask for was received (delete_self, unmount), or an error
  2  -t/--timeout passed without an event

Examples:
  $ ${COMMANDS.wait} -e close_write notes.txt && make
  $ ${COMMANDS.wait} -m -r --format '%w%f %e' src
`,
  watch: `
Exit codes (as inotifywatch):
  0  stopped normally: -t elapsed, Ctrl-C or SIGTERM; the table is printed
  1  an error

Examples:
  $ ${COMMANDS.watch} -t 60 -r ~/src
  $ ${COMMANDS.watch} -e access,modify -d modify /var/log
`,
};

const DESCRIPTIONS: Readonly<Record<Mode, string>> = {
  demo:
    'Watch files and directories with Linux inotify and print one line per event: the Python ' +
    "inotify package's example, grown into an inotifywait-like tool. Monitors until stopped.",
  wait: 'Wait for an event on files or directories, as inotifywait does: exit after the first event unless -m.',
  watch:
    'Gather filesystem usage statistics, as inotifywatch does: count events per watch and print the table.',
};

/** Builds the commander program; exported so that the help text can be checked without a process. */
export function buildProgram(mode: Mode, output: ParseOutput): Command {
  const events = [...INOTIFYWAIT_EVENTS.keys()].join(', ');
  const program = new Command(COMMANDS[mode])
    .description(DESCRIPTIONS[mode])
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'print this help and exit')
    .argument(
      '[paths...]',
      `files or directories to watch; @path: never watch path${mode === 'demo' ? ' (default: /tmp)' : ''}`,
    )
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
      'a regular expression (JavaScript syntax) over the path of each event (the watch, with a / after a ' +
        'directory, then the name): matching events are not printed; with -r, matching directories are never watched',
      checkPattern,
    )
    .option('--excludei <pattern>', 'like --exclude, case-insensitive', checkPattern)
    .option(
      '--include <pattern>',
      'print only events whose path matches this regular expression',
      checkPattern,
    )
    .option('--includei <pattern>', 'like --include, case-insensitive', checkPattern)
    .option(
      '--exclude-glob <glob>',
      'a glob (picomatch: *, **, ?, [..], {a,b}) over full paths: matching events are not printed; with -r, ' +
        'matching directories are never watched. Repeatable',
      collect,
    )
    .option(
      '--include-glob <glob>',
      'print only events whose full path matches one of these globs. Repeatable',
      collect,
    )
    .option(
      '--fromfile <file>',
      "read paths to watch from <file>, one a line ('-': stdin); @path lines exclude",
    )
    .option('-P, --no-dereference', 'do not follow symbolic links')
    .option(
      '-t, --timeout <seconds>',
      mode === 'watch'
        ? 'gather statistics for this many seconds, then print the table and exit 0 (0: until a signal)'
        : 'exit with code 2 after this many seconds without an event (0: never). Fractions are fine',
      parseSeconds,
      0,
    );
  if (mode === 'watch') {
    program
      .option('-z, --zero', 'keep rows and columns that are all zeros in the table')
      .option(
        '-a, --ascending <event>',
        "sort rows ascending by this event's count, or 'total'",
        parseSortKey,
      )
      .option(
        '-d, --descending <event>',
        "sort rows descending by this event's count, or 'total' (the default)",
        parseSortKey,
      )
      .option('-v, --verbose', 'say more while setting up');
  } else {
    program
      .option(
        '-m, --monitor',
        mode === 'demo'
          ? 'keep printing events (always so: accepted for inotifywait)'
          : 'keep printing events until a signal or -t; without it, exit after one event',
      )
      .option(
        '-d, --daemon',
        'like --monitor, in the background, events appended to --outfile, messages to syslog',
      )
      .option('-o, --outfile <file>', 'append events to <file> instead of stdout')
      .option('-s, --syslog', 'send messages to syslog instead of stderr')
      .option(
        '-q, --quiet',
        "once: no 'Setting up watches'/'Watches established' messages and no progress; twice (-qq): no events and no warnings either",
        increase,
        0,
      )
      .option(
        '--format <format>',
        mode === 'demo'
          ? "log (default: the Python example's line), text (short, colored on a terminal), json (NDJSON), " +
              'or an inotifywait format: %w watch, %f name, %e events, %Xe events separated by X, %c cookie, ' +
              '%T time (--timefmt), %n newline, %0 NUL, %% percent'
          : "inotifywait's format: %w watch, %f name, %e events, %Xe events separated by X, %c cookie, " +
              `%T time (--timefmt), %n newline, %0 NUL, %% percent (default: '${INOTIFYWAIT_DEFAULT_FORMAT}')`,
      )
      .option('--no-newline', 'print no newline after each --format line')
      .option('--timefmt <strftime>', 'the strftime(3) format of %T, e.g. "%F %T"')
      .option('-c, --csv', 'print events as CSV: watch,events,name, quoted as inotifywait quotes');
    if (mode === 'demo') {
      program
        .option(
          '--stats',
          'count events per path and event type, and print the table (like inotifywatch) instead of ' +
            'event lines: at exit, and refreshed in place with events/s while stdout is a terminal',
        )
        .option(
          '--output <url>',
          'publish every record (--format json, schema v1) to NATS JetStream at nats://HOST:PORT instead ' +
            'of stdout, each acknowledged by the server; watches each path as a tree (as -r)',
        )
        .option('--subject <subject>', `the subject of the records with --output`, DEFAULT_SUBJECT)
        .option(
          '--stream <name>',
          'the JetStream stream that stores --subject, created (file storage) when missing',
          DEFAULT_STREAM,
        )
        .option(
          '--state <file>',
          'keep a snapshot of the trees in <file> (outside them): at start, what changed while the ' +
            'program was stopped comes first, as recovery records; saved on exit and every --state-interval',
        )
        .option(
          '--state-interval <seconds>',
          'seconds between snapshot saves with --state (0: only on exit)',
          parseSeconds,
          60,
        );
    }
  }
  return program
    .addHelpText('after', EXIT_CODES[mode])
    .configureOutput({
      writeOut: (text) => output.writeOut(text),
      writeErr: (text) => output.writeErr(text),
      outputError: (text, write) => write(`${COMMANDS[mode]}: ${text.replace(/^error: /, '')}`),
    })
    .exitOverride()
    .allowExcessArguments(false);
}

/** A usage mistake found after commander parsed: printed like commander's own. */
class LateUsageError extends Error {}

interface RawOptions {
  recursive?: boolean;
  event: number;
  exclude?: string;
  excludei?: string;
  include?: string;
  includei?: string;
  excludeGlob?: string[];
  includeGlob?: string[];
  fromfile?: string;
  dereference: boolean;
  timeout: number;
  zero?: boolean;
  ascending?: number;
  descending?: number;
  verbose?: boolean;
  monitor?: boolean;
  daemon?: boolean;
  outfile?: string;
  syslog?: boolean;
  quiet?: number;
  format?: string;
  newline: boolean;
  timefmt?: string;
  csv?: boolean;
  stats?: boolean;
  output?: string;
  subject?: string;
  stream?: string;
  state?: string;
  stateInterval?: number;
}

/** The lines of `--fromfile`, as buffers (`-` is stdin). */
function readLines(file: string): Buffer[] {
  let content: Buffer;
  try {
    content = readFileSync(file === '-' ? 0 : file);
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'error';
    throw new LateUsageError(`--fromfile: cannot read '${file}' (${code}): check the path.`);
  }
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= content.length; i++) {
    if (i === content.length || content[i] === 0x0a) {
      lines.push(content.subarray(start, i));
      start = i + 1;
    }
  }
  return lines;
}

/** Splits the path words into paths to watch and `@` exclusions, as inotifywait does. */
function splitPaths(
  words: readonly Uint8Array[],
  fromArgs: boolean,
): { paths: PathArg[]; excluded: string[] } {
  const paths: PathArg[] = [];
  const excluded: string[] = [];
  for (const word of words) {
    const bytes = Buffer.from(word.buffer, word.byteOffset, word.byteLength);
    const text = bytes.toString('utf8');
    if (bytes.length === 0) {
      if (fromArgs) {
        throw new LateUsageError("an empty path argument ('') was given: name a file or directory to watch");
      }
      continue; // an empty line in --fromfile, skipped as inotifywait does
    }
    if (text === '@') continue;
    if (text.startsWith('@')) {
      excluded.push(text.slice(1));
      continue;
    }
    const exact = !Buffer.from(text).equals(bytes);
    paths.push({ text, bytes: exact ? Buffer.from(bytes) : undefined });
  }
  return { paths, excluded };
}

function outputOf(mode: Mode, raw: RawOptions): Output {
  if (raw.csv === true) return { kind: 'csv' };
  if (raw.format !== undefined) {
    if (mode === 'demo' && (FORMATS as readonly string[]).includes(raw.format)) {
      return { kind: raw.format as Format };
    }
    if (raw.format === '') {
      throw new LateUsageError("--format '' prints nothing: give a format, e.g. '%w%f %e'");
    }
    if (raw.format.includes('%T') && raw.timefmt === undefined) {
      // inotifywait refuses it too: %T would print nothing.
      throw new LateUsageError(
        "%T is in --format, but --timefmt was not given: add one, e.g. --timefmt '%F %T'",
      );
    }
    return { kind: 'printf', format: raw.format };
  }
  return mode === 'demo' ? { kind: 'log' } : { kind: 'printf', format: INOTIFYWAIT_DEFAULT_FORMAT };
}

function checkFilters(raw: RawOptions): void {
  if (raw.exclude !== undefined && raw.excludei !== undefined) {
    throw new LateUsageError('--exclude and --excludei cannot both be given: use one');
  }
  if (raw.include !== undefined && raw.includei !== undefined) {
    throw new LateUsageError('--include and --includei cannot both be given: use one');
  }
  const exclude = raw.exclude !== undefined || raw.excludei !== undefined;
  const include = raw.include !== undefined || raw.includei !== undefined;
  if (exclude && include) {
    throw new LateUsageError(
      'a regular expression to include and one to exclude cannot both be given, as in inotifywait: ' +
        'fold them into one, or use --include-glob/--exclude-glob beside it',
    );
  }
}

/**
 * Parses the command line.
 *
 * @param argv - the arguments after the program (`process.argv.slice(2)`).
 * @param output - where help, the version and usage errors go.
 * @param mode - which command runs; `demo` by default.
 * @param raw - the exact bytes of arguments that are not UTF-8 (see `rawArguments`).
 * @returns the options, or the exit code when commander printed help (0), the version (0)
 *   or a usage error (1).
 */
export function parseOptions(
  argv: readonly string[],
  output: ParseOutput,
  mode: Mode = 'demo',
  raw: ReadonlyMap<string, Uint8Array> = new Map(),
): Parsed {
  const program = buildProgram(mode, output);
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return { exitCode: error.exitCode === 0 ? 0 : 1 };
    throw error;
  }
  try {
    return { options: optionsOf(mode, program, raw) };
  } catch (error) {
    if (!(error instanceof LateUsageError)) throw error;
    output.writeErr(`${COMMANDS[mode]}: ${error.message}.\n`);
    return { exitCode: 1 };
  }
}

function optionsOf(mode: Mode, program: Command, raw: ReadonlyMap<string, Uint8Array>): Options {
  const opts = program.opts<RawOptions>();
  checkFilters(opts);
  checkShipping(opts);
  if (opts.ascending !== undefined && opts.descending !== undefined) {
    throw new LateUsageError('give -a or -d once only');
  }
  const words = ((program.processedArgs[0] as string[] | undefined) ?? []).map(
    (word) => raw.get(word) ?? Buffer.from(word),
  );
  const fromFile =
    opts.fromfile === undefined ? { paths: [], excluded: [] } : splitPaths(readLines(opts.fromfile), false);
  const fromArgs = splitPaths(words, true);
  let paths = [...fromFile.paths, ...fromArgs.paths];
  if (paths.length === 0) {
    if (mode !== 'demo' || opts.fromfile !== undefined) {
      throw new LateUsageError('no files specified to watch: name a file or directory, or give --fromfile');
    }
    paths = [{ text: '/tmp', bytes: undefined }];
  }
  const excluded = [...fromFile.excluded, ...fromArgs.excluded];
  if (excluded.length > 0 && (opts.output !== undefined || opts.state !== undefined)) {
    throw new LateUsageError(
      `${opts.output !== undefined ? '--output' : '--state'} ships every event of whole trees: @path exclusions cannot be combined with it`,
    );
  }
  const nonText = paths.find((path) => path.bytes !== undefined);
  if (nonText !== undefined && (opts.output !== undefined || opts.state !== undefined)) {
    throw new LateUsageError(
      `'${nonText.text}' is not valid UTF-8, and the trees of --output and --state take text paths: rename it, or watch it without them`,
    );
  }
  const daemon = opts.daemon === true;
  if (daemon && opts.outfile === undefined) {
    throw new LateUsageError('-d/--daemon writes events to a file: give it with -o/--outfile');
  }
  const sortEvent = opts.ascending ?? opts.descending ?? 0;
  const mask = opts.event === 0 ? DEFAULT_MASK : opts.event >>> 0;
  if (sortEvent !== 0 && (sortEvent & mask) === 0) {
    throw new LateUsageError(
      "cannot sort by an event that is not watched: add it with -e, or sort by 'total'",
    );
  }
  return {
    mode,
    paths,
    excluded,
    recursive: opts.recursive === true,
    mask,
    eventsGiven: opts.event !== 0,
    filter: eventFilter({
      exclude: opts.exclude ?? opts.excludei,
      include: opts.include ?? opts.includei,
      ignoreCase: opts.excludei !== undefined || opts.includei !== undefined,
      excludeGlobs: opts.excludeGlob ?? [],
      includeGlobs: opts.includeGlob ?? [],
    }),
    timeoutS: opts.timeout,
    output: outputOf(mode, opts),
    timefmt: opts.timefmt,
    newline: opts.newline,
    quiet: opts.quiet ?? 0,
    stats: opts.stats === true,
    monitor: mode !== 'wait' || opts.monitor === true || daemon,
    daemon,
    syslog: opts.syslog === true || daemon,
    outfile: opts.outfile,
    noDereference: !opts.dereference,
    zero: opts.zero === true,
    sort: { event: sortEvent, ascending: opts.ascending !== undefined },
    verbose: opts.verbose === true,
    nats: natsOutput(opts),
    stateFile: opts.state,
    stateIntervalS: opts.stateInterval ?? 60,
  };
}

/** `--output`, checked: a `nats://` URL. */
function natsOutput(opts: RawOptions): NatsOutput | undefined {
  if (opts.output === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(opts.output);
  } catch {
    url = new URL('invalid:');
  }
  if (url.protocol !== 'nats:' || url.hostname === '') {
    throw new LateUsageError(
      `--output '${opts.output}' is not a nats://HOST:PORT URL: give one, e.g. nats://127.0.0.1:4222`,
    );
  }
  return {
    url: opts.output,
    subject: opts.subject ?? DEFAULT_SUBJECT,
    stream: opts.stream ?? DEFAULT_STREAM,
  };
}

/** What `--output` and `--state` cannot be combined with: they ship records of whole trees. */
function checkShipping(opts: RawOptions): void {
  if (opts.output === undefined && opts.state === undefined) return;
  const which = opts.output !== undefined ? '--output' : '--state';
  if (opts.format !== undefined && opts.format !== 'json') {
    throw new LateUsageError(`${which} writes records of --format json: drop --format ${opts.format}`);
  }
  const refused: [boolean, string][] = [
    [opts.csv === true, '--csv'],
    [opts.stats === true, '--stats'],
    [opts.daemon === true, '-d/--daemon'],
    [opts.outfile !== undefined, '-o/--outfile'],
    [opts.timeout > 0, '-t/--timeout'],
    [
      opts.include !== undefined || opts.includei !== undefined || (opts.includeGlob ?? []).length > 0,
      '--include',
    ],
    [
      opts.exclude !== undefined || opts.excludei !== undefined || (opts.excludeGlob ?? []).length > 0,
      '--exclude',
    ],
    [opts.dereference === false, '-P/--no-dereference'],
  ];
  for (const [given, name] of refused) {
    if (given) {
      throw new LateUsageError(
        `${which} ships every event of whole trees until a signal: ${name} cannot be combined with it`,
      );
    }
  }
}
