/**
 * The program: parse the command line, open the watcher, print (or count) events until the
 * first one (inotifywait without `-m`), a signal, a timeout or the last watch ends, then release
 * everything and return the exit code. The three commands (`inotify-demo`, `inotify-demo-wait`,
 * `inotify-demo-watch`) are this one function with a different {@link Mode}.
 */
import { closeSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { IN_IGNORED, IN_Q_OVERFLOW, type InotifyEvent, type TreeProgress } from '@inotify-ts/inotify';
import { colorEnabled, palette } from './colors.js';
import { startDaemon } from './daemon.js';
import { describeError } from './errors.js';
import { formatter } from './formats.js';
import { JsonRecords } from './json-format.js';
import { type MessageSink, messageSink } from './messages.js';
import { COMMANDS, type Mode, type Options, parseOptions } from './options.js';
import { FileSink, LineOutput, type LineStream } from './output.js';
import { type ByteFormatter, compileFormat, csvLine } from './printf.js';
import { Progress } from './progress.js';
import { rawArguments } from './raw-args.js';
import { ship } from './ship.js';
import { LiveStats, Stats } from './stats.js';
import { WatchTable } from './watch-table.js';
import { openWatcher, type Watcher } from './watcher.js';

/** The exit codes, as inotifywait's. */
export const EXIT = { ok: 0, error: 1, timeout: 2 } as const;

/** Why the event loop stopped. */
type StopReason = 'signal' | 'timeout' | 'no-watches' | 'closed-stdout' | 'write-error' | 'event';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** The environment variable that tells a `-d` child it is the daemon. */
export const DAEMON_CHILD = 'INOTIFY_DEMO_DAEMON_CHILD';

/**
 * Runs one of the commands with the given arguments in this process.
 *
 * @param argv - the arguments after the program name.
 * @param mode - `demo` (inotify-demo), `wait` (inotify-demo-wait) or `watch` (inotify-demo-watch).
 * @returns the exit code: see each command's `--help`.
 */
export async function main(argv: readonly string[], mode: Mode = 'demo'): Promise<number> {
  const { stdout, stderr } = process;
  const parsed = parseOptions(
    argv,
    { writeOut: (text) => stdout.write(text), writeErr: (text) => stderr.write(text) },
    mode,
    rawArguments(argv),
  );
  if ('exitCode' in parsed) return parsed.exitCode;
  const { options } = parsed;
  const daemonChild = options.daemon && process.env[DAEMON_CHILD] === '1';
  if (options.daemon && !daemonChild) return startDaemon(options, DAEMON_CHILD);

  // Until its watches are set up, a daemon's messages reach the terminal through its parent.
  let say: MessageSink = messageSink(options.syslog && !daemonChild, COMMANDS[mode], stderr);
  const name = COMMANDS[mode];
  const context: Context = { options, name, say: (line) => say(line), rescan: () => {} };
  const info = (line: string) => {
    if (options.quiet < 1) context.say(line);
  };
  if (mode === 'watch') {
    context.say('Establishing watches...');
  } else {
    info(
      options.recursive
        ? 'Setting up watches.  Beware: since -r was given, this may take a while!'
        : 'Setting up watches.',
    );
  }
  const progress = new Progress(stderr, options.quiet < 1 && !options.syslog);
  if (options.nats !== undefined || options.stateFile !== undefined) {
    return ship({ options, name, say: context.say, progress, ready: () => info('Watches established.') });
  }
  let watcher: Watcher;
  try {
    watcher = openWatcher(options, {
      progress,
      rescan: (treeProgress) => context.rescan(treeProgress),
      warn: (line) => warn(context, line),
      info: (line) => {
        if (options.quiet < 2) context.say(`${name}: ${line}`);
      },
    });
  } catch (error) {
    progress.done();
    context.say(describeError(error, context.name));
    return EXIT.error;
  }
  progress.done();
  return watch(watcher, context, () => {
    if (mode === 'watch') {
      if (options.verbose && options.recursive) {
        for (const path of options.paths) {
          context.say(`Setting up watch(es) on ${path.text}`);
          context.say(`OK, ${path.text} is now being watched.`);
        }
      }
      if (options.verbose) context.say(`Total of ${watcher.watchCount()} watches.`);
      context.say('Finished establishing watches, now collecting statistics.');
      if (options.verbose && options.timeoutS > 0) {
        context.say(`Will listen for events for ${options.timeoutS} seconds.`);
      }
    } else {
      info('Watches established.');
    }
    if (daemonChild) {
      daemonReady();
      say = messageSink(true, COMMANDS[mode], stderr);
    }
  });
}

/** Tells the parent of a `-d` child that the watches are set up (one byte on fd 3). */
function daemonReady(): void {
  // The parent stops reading stderr now: a late write there must not end the daemon.
  process.stderr.on('error', () => {});
  writeSync(3, '1');
  closeSync(3);
}

/** What the event loop needs besides the watcher. */
interface Context {
  readonly options: Options;
  /** The command's name, which starts every message. */
  readonly name: string;
  readonly say: MessageSink;
  /** Told of a tree's rescan of its watches after an overflow (gap records in `json`). */
  rescan: (progress: TreeProgress) => void;
}

/** Writes `inotify-demo: warning: <line>`, unless `-qq`. */
function warn(context: Context, line: string): void {
  if (context.options.quiet < 2) context.say(`${context.name}: warning: ${line}`);
}

/** Whether an event is printed at all: what inotifywait prints, plus overflows. */
function printable(event: InotifyEvent, options: Options): boolean {
  const { mask } = event.header;
  if ((mask & IN_Q_OVERFLOW) !== 0) return true;
  if ((mask & options.mask) !== 0) return true;
  // The named formats print every event when no -e is given, IN_IGNORED included, as the
  // original example does; inotifywait's formats print only the events asked for.
  const named =
    options.output.kind === 'log' || options.output.kind === 'text' || options.output.kind === 'json';
  return named && !options.eventsGiven && options.mode === 'demo';
}

/** The line printer for the options' output. */
function printer(
  options: Options,
  watcher: Watcher,
  colors: boolean,
  records: JsonRecords | undefined,
): (event: InotifyEvent, now: Date) => string | Buffer {
  const { output } = options;
  if (output.kind === 'printf' || output.kind === 'csv') {
    const format: ByteFormatter =
      output.kind === 'csv' ? csvLine : compileFormat(output.format, options.timefmt, options.newline);
    return (event, now) =>
      format(
        {
          watch: watcher.names.of(event),
          name: event.filenameBytes,
          mask: event.header.mask,
          cookie: event.header.cookie,
        },
        now,
      );
  }
  const format = formatter(output.kind, {
    showPath: options.recursive || options.paths.length > 1,
    colors: palette(colors),
    ...(records === undefined ? {} : { records }),
  });
  return (event, now) => `${format(event, now)}\n`;
}

/**
 * Prints events from `watcher` until something stops it, then cleans up and returns the exit code.
 * `ready` is called once the signal handlers are in place: a signal sent as soon as the program
 * says its watches are established already finds them.
 */
async function watch(watcher: Watcher, context: Context, ready: () => void): Promise<number> {
  const { options } = context;
  const { stdout } = process;
  const controller = new AbortController();
  let reason: StopReason | undefined;
  const stop = (why: StopReason) => {
    reason ??= why;
    controller.abort();
  };

  const onSignal = () => {
    // A second Ctrl-C while cleaning up ends the process at once.
    if (reason !== undefined) process.exit(130);
    stop('signal');
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  let writeError: NodeJS.ErrnoException | undefined;
  const onWriteError = (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') {
      stop('closed-stdout');
    } else {
      writeError ??= error;
      stop('write-error');
    }
  };
  let sink: LineStream = stdout;
  let file: FileSink | undefined;
  if (options.outfile !== undefined && !options.daemon) {
    try {
      file = new FileSink(options.outfile, onWriteError);
    } catch (error) {
      watcher.close();
      for (const signal of SIGNALS) process.off(signal, onSignal);
      context.say(describeError(error, context.name));
      return EXIT.error;
    }
    sink = file;
  }
  stdout.on('error', onWriteError);
  ready();
  const timeoutReason: StopReason = options.mode === 'watch' ? 'signal' : 'timeout';
  const timer =
    options.timeoutS > 0 ? setTimeout(() => stop(timeoutReason), options.timeoutS * 1000) : undefined;

  const output = new LineOutput(sink);
  const stats = options.stats ? new Stats() : undefined;
  const table = options.mode === 'watch' ? new WatchTable() : undefined;
  const live = stats !== undefined && stdout.isTTY ? new LiveStats(stats, stdout) : undefined;
  const records = options.output.kind === 'json' && !options.stats ? new JsonRecords() : undefined;
  if (records !== undefined && options.quiet < 2) {
    context.rescan = (progress) => {
      for (const line of records.treeProgress(progress)) output.chunk(`${line}\n`);
    };
  }
  const print = printer(options, watcher, colorEnabled(stdout, process.env), records);
  let exitCode: number = EXIT.ok;

  const handle = (event: InotifyEvent) => {
    // In inotifywait, an event its regular expression filters out restarts the timeout too.
    if (options.mode !== 'watch') timer?.refresh();
    const { mask, wd } = event.header;
    const overflow = (mask & IN_Q_OVERFLOW) !== 0;
    if (overflow) {
      warn(
        context,
        "the kernel's event queue overflowed (IN_Q_OVERFLOW): events were lost. Raise " +
          'fs.inotify.max_queued_events, or watch less.' +
          (options.recursive ? ' The trees were rescanned.' : ''),
      );
    }
    const watchName = watcher.names.of(event);
    const accepted =
      overflow ||
      options.filter === undefined ||
      options.filter.accepts(
        Buffer.concat([watchName, event.filenameBytes]).toString('utf8'),
        event.filename === '' ? event.path : join(event.path, event.filename),
      );
    if (accepted) {
      if (table !== undefined) {
        if (!overflow) table.record(wd, watchName, mask);
      } else if (stats !== undefined) {
        stats.record(event.path, mask);
      } else if (options.quiet < 2 && printable(event, options)) {
        output.chunk(print(event, new Date()));
      }
      if (!options.monitor && reason === undefined) {
        // inotifywait: 0 for an event asked for; 1 for one that was not (the watch went away).
        exitCode = (mask & options.mask) !== 0 ? EXIT.ok : EXIT.error;
        stop('event');
      }
    }
    if ((mask & IN_IGNORED) !== 0 && watcher.watchCount() === 0) stop('no-watches');
  };

  const fail = (error: unknown) => {
    output.flush();
    context.say(describeError(error, context.name));
    exitCode = EXIT.error;
  };
  try {
    for await (const event of watcher.events(controller.signal)) {
      handle(event);
      if (reason !== undefined) break;
    }
  } catch (error) {
    // An abort may end the iteration with an AbortError: that is the way out, not a failure.
    if (!controller.signal.aborted) fail(error);
  }
  try {
    // What happened before the signal is still printed and counted.
    if (reason === 'signal') watcher.drain(handle);
  } catch (error) {
    fail(error);
  } finally {
    clearTimeout(timer);
    for (const signal of SIGNALS) process.off(signal, onSignal);
    if (table !== undefined)
      for (const [path, wd] of watcher.watches()) table.add(wd, watcher.names.name(path, wd));
    watcher.close();
    live?.stop();
    output.flush();
  }

  if (reason === 'no-watches' && options.mode !== 'watch')
    context.say(`${context.name}: no watches left, exiting.`);
  if (reason !== 'closed-stdout' && reason !== 'write-error') {
    if (stats !== undefined) {
      if (options.output.kind === 'json') sink.write(`${JSON.stringify({ stats: stats.toJSON() })}\n`);
      else sink.write(`${stats.table().join('\n')}\n`);
    }
    if (table !== undefined) {
      const text = table.render(options.mask, options.zero, options.sort);
      if (text === undefined) context.say('No events occurred.');
      else sink.write(text);
    }
  }
  // A failed write to stdout is reported by an 'error' event after the write returned.
  await new Promise((resolve) => setImmediate(resolve));
  stdout.off('error', onWriteError);
  file?.close();
  if (writeError !== undefined) {
    const where = file === undefined ? 'standard output' : options.outfile;
    context.say(
      `${context.name}: cannot write to ${where}: ${writeError.message.replace(/^E[A-Z]+: /, '')}` +
        ` (${writeError.code}); events were lost. Free space, or write elsewhere.`,
    );
    return EXIT.error;
  }
  if (reason === 'timeout') return EXIT.timeout;
  return exitCode;
}

/**
 * Runs a command as the executable: exits with {@link main}'s code, so that no leftover handle
 * can keep the process alive after the watches are released. Anything thrown is one line.
 *
 * @param mode - which command.
 */
export async function runCommand(mode: Mode): Promise<never> {
  try {
    process.exit(await main(process.argv.slice(2), mode));
  } catch (error) {
    process.stderr.write(`${describeError(error, COMMANDS[mode])}\n`);
    process.exit(1);
  }
}
