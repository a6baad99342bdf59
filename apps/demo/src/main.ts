/**
 * The program: parse the command line, open the watcher, print events until a signal, a
 * timeout or the last watch ends, then release everything and return the exit code.
 */
import { IN_IGNORED, IN_Q_OVERFLOW, type InotifyEvent } from '@inotify-ts/inotify';
import { colorEnabled, palette } from './colors.js';
import { describeError, PROGRAM } from './errors.js';
import { eventPath, formatter } from './formats.js';
import { type Options, parseOptions } from './options.js';
import { LineOutput } from './output.js';
import { Progress } from './progress.js';
import { LiveStats, Stats } from './stats.js';
import { openWatcher, type Watcher } from './watcher.js';

/** The exit codes, as inotifywait's. */
export const EXIT = { ok: 0, error: 1, timeout: 2 } as const;

/** Why the event loop stopped. */
type StopReason = 'signal' | 'timeout' | 'no-watches' | 'closed-stdout';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Runs `inotify-demo` with the given arguments in this process.
 *
 * @param argv - the arguments after the program name.
 * @returns the exit code: 0 after a signal or when no watch is left, 1 on an error, 2 on timeout.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const { stdout, stderr } = process;
  const parsed = parseOptions(argv, {
    writeOut: (text) => stdout.write(text),
    writeErr: (text) => stderr.write(text),
  });
  if ('exitCode' in parsed) return parsed.exitCode;
  const { options } = parsed;

  const info = (line: string) => {
    if (options.quiet < 1) stderr.write(`${line}\n`);
  };
  info(
    options.recursive
      ? 'Setting up watches.  Beware: since -r was given, this may take a while!'
      : 'Setting up watches.',
  );
  const progress = new Progress(stderr, options.quiet < 1);
  let watcher: Watcher;
  try {
    watcher = openWatcher(options, { progress, warn: (line) => warn(options, line) });
  } catch (error) {
    progress.done();
    stderr.write(`${describeError(error)}\n`);
    return EXIT.error;
  }
  progress.done();
  return watch(watcher, options, () => info('Watches established.'));
}

/** Writes `inotify-demo: warning: <line>` on stderr, unless `-qq`. */
function warn(options: Options, line: string): void {
  if (options.quiet < 2) process.stderr.write(`${PROGRAM}: warning: ${line}\n`);
}

/**
 * Prints events from `watcher` until something stops it, then cleans up and returns the exit code.
 * `ready` is called once the signal handlers are in place: a signal sent as soon as the program
 * says its watches are established already finds them.
 */
async function watch(watcher: Watcher, options: Options, ready: () => void): Promise<number> {
  const { stdout, stderr } = process;
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
  const onStdoutError = (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') stop('closed-stdout');
  };
  stdout.on('error', onStdoutError);
  ready();
  const timer = options.timeoutS > 0 ? setTimeout(() => stop('timeout'), options.timeoutS * 1000) : undefined;

  const output = new LineOutput(stdout);
  const stats = options.stats ? new Stats() : undefined;
  const live = stats !== undefined && stdout.isTTY ? new LiveStats(stats, stdout) : undefined;
  const format = formatter(options.format, {
    showPath: options.recursive || options.paths.length > 1,
    colors: palette(colorEnabled(stdout, process.env)),
  });

  const handle = (event: InotifyEvent) => {
    timer?.refresh();
    const { mask } = event.header;
    if ((mask & IN_Q_OVERFLOW) !== 0) {
      warn(
        options,
        "the kernel's event queue overflowed (IN_Q_OVERFLOW): events were lost. Raise " +
          'fs.inotify.max_queued_events, or watch less.',
      );
    }
    if (options.exclude === undefined || event.header.wd === -1 || !options.exclude.test(eventPath(event))) {
      if (stats !== undefined) stats.record(event.path, mask);
      else output.line(format(event, new Date()));
    }
    if ((mask & IN_IGNORED) !== 0 && watcher.watchCount() === 0) stop('no-watches');
  };

  let exitCode: number = EXIT.ok;
  const fail = (error: unknown) => {
    output.flush();
    stderr.write(`${describeError(error)}\n`);
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
    watcher.close();
    live?.stop();
    output.flush();
  }

  if (reason === 'no-watches') stderr.write(`${PROGRAM}: no watches left, exiting.\n`);
  if (stats !== undefined && reason !== 'closed-stdout') {
    if (options.format === 'json') stdout.write(`${JSON.stringify({ stats: stats.toJSON() })}\n`);
    else stdout.write(`${stats.table().join('\n')}\n`);
  }
  stdout.off('error', onStdoutError);
  if (reason === 'timeout') return EXIT.timeout;
  return exitCode;
}
