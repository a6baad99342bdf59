/**
 * A record sink that writes one JSON record per line to a stream (standard output, a file, a
 * pipe): the `--format json` output of a command line watcher, with the same guarantees as the
 * JetStream sink. `offer` never waits; a record counts as delivered once the stream has taken
 * it (its write callback), and at most `maxBuffered` records wait for that, so a slow reader at
 * the other end of a pipe makes the shipper drop with a gap record instead of stalling it.
 */
import type { Writable } from 'node:stream';
import type { InotifyRecord } from '@inotify-ts/record';
import { AckQueue, type QueueEntry } from './queue.js';
import type { RecordSink } from './sink.js';

const NO_DATA = new Uint8Array(0);

export class JsonLinesSink implements RecordSink {
  readonly #out: Writable;
  readonly #queue: AckQueue;
  #token = 0;
  #error: Error | undefined;

  constructor(out: Writable, options: { readonly maxBuffered?: number } = {}) {
    this.#out = out;
    this.#queue = new AckQueue(options.maxBuffered ?? 16_384);
  }

  get space(): number {
    return this.#queue.space;
  }

  get capacity(): number {
    return this.#queue.capacity;
  }

  /** The stream's write error, once there was one: records offered after it are refused. */
  get error(): Error | undefined {
    return this.#error;
  }

  offer(record: InotifyRecord): boolean {
    if (this.#error !== undefined || this.#queue.space < 1) return false;
    const entry: QueueEntry = { seq: record.seq, token: ++this.#token, id: '', data: NO_DATA, acked: false };
    this.#queue.offer(entry);
    this.#out.write(`${JSON.stringify(record)}\n`, (error) => {
      if (error) this.#error ??= error;
      else this.#queue.ack(entry);
    });
    return true;
  }

  whenSpace(n: number): Promise<void> {
    return this.#queue.whenSpace(n);
  }

  whenDelivered(seq: number): Promise<void> {
    return this.#queue.whenDelivered(seq);
  }
}
