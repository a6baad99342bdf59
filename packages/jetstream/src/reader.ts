/**
 * Reading a stream of records back: an ordered consumer from the first message, each record
 * parsed, and marked as a duplicate when its message id was seen before (see
 * `RecordDeduplicator`).
 */

import type { InotifyRecord } from '@inotify-ts/record';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { RecordDeduplicator } from './dedup.js';

export interface ReadOptions {
  /** Stop once the consumer has caught up with the stream (nothing pending). Default `false`. */
  readonly untilCaughtUp?: boolean;
  readonly signal?: AbortSignal;
}

export interface ReadRecord {
  readonly record: InotifyRecord;
  /** The message's sequence in the stream. */
  readonly streamSeq: number;
  /** Seen before (by host, boot, instance and seq). */
  readonly duplicate: boolean;
}

/** Yields every record of `stream`, from the first, in stream order. */
export async function* readRecords(
  nc: NatsConnection,
  stream: string,
  options: ReadOptions = {},
): AsyncGenerator<ReadRecord, void, undefined> {
  const consumer = await jetstream(nc).consumers.get(stream);
  const dedup = new RecordDeduplicator();
  if (options.untilCaughtUp === true && (await consumer.info()).num_pending === 0) return;
  const messages = await consumer.consume();
  const stop = () => void messages.stop();
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    for await (const m of messages) {
      const record = m.json<InotifyRecord>();
      yield { record, streamSeq: m.seq, duplicate: !dedup.accept(record) };
      if (options.untilCaughtUp === true && m.info.pending === 0) break;
    }
  } finally {
    options.signal?.removeEventListener('abort', stop);
    await messages.close();
  }
  options.signal?.throwIfAborted();
}
