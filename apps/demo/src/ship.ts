/**
 * `--output nats://…` and `--state FILE`: the records of whole trees go through a `TreeShipper`
 * of `@inotify-ts/jetstream`, to JetStream (acknowledged publishes) or, with `--state` alone, to
 * stdout as JSON lines. The shipper owns the event loop here: it pairs moves, turns overflows and
 * a full sink into gap records followed by a listing of the tree, and keeps the snapshot that
 * reports, at the next start, what changed while the program was stopped.
 */

import { IN_ACCESS, IN_CLOSE_NOWRITE, IN_OPEN } from '@inotify-ts/inotify';
import type { JetStreamSink, RecordSink, TreeShipper } from '@inotify-ts/jetstream';
import { describeError, describeWarning } from './errors.js';
import type { Options } from './options.js';
import type { Progress } from './progress.js';

/** What shipping needs from the program. */
export interface ShipContext {
  readonly options: Options;
  readonly name: string;
  readonly say: (line: string) => void;
  readonly progress: Progress;
  /** Called once the watches are set up and the signal handlers are in place. */
  readonly ready: () => void;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Without `-e`, records say what changed: reads are left out, among them the program's own
 * reads of every directory when it takes a snapshot (`--state`), which would otherwise come
 * back as events of the tree.
 */
const READS = IN_ACCESS | IN_OPEN | IN_CLOSE_NOWRITE;

/**
 * Ships records until SIGINT or SIGTERM, then delivers what the kernel queued, waits until the
 * sink stored everything, writes the snapshot, and returns the exit code: 0, or 1 after an error
 * or when records were left unacknowledged.
 */
export async function ship(context: ShipContext): Promise<number> {
  const { options, name, say } = context;
  // Loaded here only: the other outputs do not load the NATS client.
  const { JetStreamSink, JsonLinesSink, TreeShipper } = await import('@inotify-ts/jetstream');
  const quietWarn = (line: string) => {
    if (options.quiet < 2) say(`${name}: warning: ${line}`);
  };
  let sink: RecordSink;
  let jetstream: JetStreamSink | undefined;
  try {
    if (options.nats === undefined) {
      sink = new JsonLinesSink(process.stdout);
    } else {
      jetstream = await JetStreamSink.connect({
        servers: options.nats.url,
        subject: options.nats.subject,
        stream: options.nats.stream,
      });
      sink = jetstream;
    }
  } catch (error) {
    context.progress.done();
    say(
      `${name}: cannot publish to ${options.nats?.url}: ${(error as Error).message}. ` +
        'Check that a nats-server with JetStream (nats-server -js) listens there.',
    );
    return 1;
  }
  let shipper: TreeShipper;
  try {
    shipper = new TreeShipper({
      roots: options.paths.map((path) => path.text),
      sink,
      tree: {
        mask: options.eventsGiven ? options.mask : options.mask & ~READS,
        onProgress: ({ reason, dirs }) => {
          if (reason === 'start') context.progress.update(dirs);
        },
        onError: (error) => quietWarn(describeWarning(error)),
      },
      ...(options.stateFile === undefined
        ? {}
        : { stateFile: options.stateFile, stateIntervalS: options.stateIntervalS }),
    });
  } catch (error) {
    context.progress.done();
    await jetstream?.close(1000);
    say(describeError(error, name));
    return 1;
  }
  context.progress.done();
  const controller = new AbortController();
  // Records on stdout: a closed pipe (`| head`) stops quietly; any other failed write is an error.
  let writeError: NodeJS.ErrnoException | undefined;
  const onWriteError = (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') writeError ??= error;
    controller.abort();
  };
  if (jetstream === undefined) process.stdout.on('error', onWriteError);
  let stopping = false;
  const onSignal = () => {
    if (stopping) process.exit(130);
    stopping = true;
    controller.abort();
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  context.ready();
  let code = 0;
  try {
    // The abort ends the run as stop() does: the last snapshot, the queued events, the close.
    const stats = await shipper.run(controller.signal);
    if (stats.dropped > 0 && options.quiet < 2) {
      quietWarn(`${stats.dropped} events were dropped while the output was full; gap records say where.`);
    }
  } catch (error) {
    say(describeError(error, name));
    code = 1;
  } finally {
    for (const signal of SIGNALS) process.off(signal, onSignal);
  }
  if (writeError !== undefined) {
    say(
      `${name}: cannot write to standard output: ${writeError.message.replace(/^E[A-Z]+: /, '')}` +
        ` (${writeError.code}); records were lost. Free space, or write elsewhere; with --state, the next start reports what changed.`,
    );
    code = 1;
  }
  if (jetstream !== undefined) {
    const unacked = await jetstream.close();
    const lastError = jetstream.lastError;
    if (unacked > 0) {
      say(
        `${name}: ${unacked} records were not acknowledged by ${options.nats?.url} before exit` +
          (lastError instanceof Error ? ` (${lastError.message})` : '') +
          '; they were not stored. ' +
          'Check the server, then restart with --state to report what changed.',
      );
      code = 1;
    }
  }
  return code;
}
