/**
 * Entry point of one Node ingest consumer process:
 * `node consumer.js '<ConsumerConfig JSON>'`. Loads only the library under test,
 * arms its watch, prints `ready`, consumes the storm through {@link Sink}, prints the
 * summary when the stop directory appears, and exits.
 */
import type { ConsumerConfig, NodeConsumerKind } from './protocol.js';
import { NODE_CONSUMERS } from './protocol.js';
import { Sink } from './sink.js';

/** A consumer: resolves once it has seen the stop directory and released its watch. */
export type ConsumerRun = (config: ConsumerConfig, sink: Sink) => Promise<void>;

/**
 * What each consumer can show: inotify-ts delivers IN_Q_OVERFLOW; fs.watch reports every event
 * one by one with its name (order checked) but libuv drops IN_Q_OVERFLOW; chokidar and
 * @parcel/watcher coalesce per file, so they are only counted.
 */
const SEEN: Record<NodeConsumerKind, { readonly overflows: boolean; readonly order: boolean }> = {
  eventGen: { overflows: true, order: true },
  events: { overflows: true, order: true },
  batches: { overflows: true, order: true },
  'fs.watch': { overflows: false, order: true },
  chokidar: { overflows: false, order: false },
  parcel: { overflows: false, order: false },
};

async function load(kind: NodeConsumerKind): Promise<ConsumerRun> {
  switch (kind) {
    case 'eventGen':
    case 'events':
    case 'batches':
      return (await import('./consumers/inotify-ts.js'))[kind];
    case 'fs.watch':
      return (await import('./consumers/fs-watch.js')).fsWatch;
    case 'chokidar':
      return (await import('./consumers/chokidar.js')).chokidar;
    case 'parcel':
      return (await import('./consumers/parcel.js')).parcel;
  }
}

function parseConfig(arg: string | undefined): ConsumerConfig {
  if (arg === undefined) throw new Error('usage: consumer.js <ConsumerConfig JSON>');
  const config = JSON.parse(arg) as ConsumerConfig;
  if (!(NODE_CONSUMERS as readonly string[]).includes(config.kind)) {
    throw new Error(
      `unknown consumer kind ${JSON.stringify(config.kind)}: expected one of ${NODE_CONSUMERS.join(', ')}`,
    );
  }
  return config;
}

const config = parseConfig(process.argv[2]);
const run = await load(config.kind);
const sink = new Sink(config.expected, config.latency, config.order);
await run(config, sink);
await sink.finish(SEEN[config.kind]);
process.exit(0);
