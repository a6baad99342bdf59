/**
 * The in-process pipeline the end-to-end tests share: a sink into a stream of its own, a
 * shipper of one directory with the workload's mask, and reading the whole stream back.
 */
import type { InotifyRecord } from '@inotify-ts/record';
import { connect } from '@nats-io/transport-node';
import { assertValid } from '../../record/test/schema.js';
import {
  JetStreamSink,
  type JetStreamSinkOptions,
  readRecords,
  type ShipperStats,
  TreeShipper,
} from '../src/index.js';
import type { NatsServer } from './nats-server.js';
import { WORKLOAD_MASK } from './workload.js';

export interface Shipping {
  readonly sink: JetStreamSink;
  readonly shipper: TreeShipper;
  readonly running: Promise<ShipperStats>;
}

/** Ships `root` into `stream` (subject `fs.<stream>`) until `shipper.stop()`. */
export async function startShipping(
  server: NatsServer,
  root: string,
  stream: string,
  sinkOptions: Partial<JetStreamSinkOptions> = {},
): Promise<Shipping> {
  const sink = await JetStreamSink.connect({
    servers: server.url,
    subject: `fs.${stream.toLowerCase()}`,
    stream,
    ...sinkOptions,
  });
  const shipper = new TreeShipper({
    roots: [root],
    sink,
    tree: { mask: WORKLOAD_MASK },
    stopTimeoutMs: 120_000,
  });
  return { sink, shipper, running: shipper.run() };
}

/** Every record of `stream`, in stream order, each checked against the JSON Schema. */
export async function readBack(server: NatsServer, stream: string): Promise<InotifyRecord[]> {
  const nc = await connect({ servers: server.url });
  const records: InotifyRecord[] = [];
  try {
    for await (const { record } of readRecords(nc, stream, { untilCaughtUp: true })) records.push(record);
  } finally {
    await nc.close();
  }
  assertValid(records);
  return records;
}
