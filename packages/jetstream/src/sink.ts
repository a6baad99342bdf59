/**
 * A record sink that publishes into NATS JetStream with acknowledgements.
 *
 * - At most `maxInFlight` publishes wait for their ack at once; the rest wait in the bounded
 *   buffer (`maxBuffered`), which the producer fills without ever waiting (`offer`).
 * - Every message carries `Nats-Msg-Id: host:boot:instance:seq`, so JetStream's duplicate
 *   window stores a resend once.
 * - A failed publish (timeout, lost connection, broker restarting) stops new sends; once every
 *   publish in flight has settled, everything not acknowledged is sent again from the oldest,
 *   after a backoff. The client reconnects by itself, without limit. So a broker restart loses
 *   nothing and duplicates nothing.
 */

import { type InotifyRecord, messageId } from '@inotify-ts/record';
import { type JetStreamClient, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { AckQueue, type QueueEntry } from './queue.js';
import { ensureStream } from './stream.js';

/** Where a watcher puts its records. `offer` never waits; the rest lets a producer pace itself. */
export interface RecordSink {
  /** Takes the record, or returns `false` at once when the buffer is full. */
  offer(record: InotifyRecord): boolean;
  /** Records that fit now. */
  readonly space: number;
  /** Most records held at once. */
  readonly capacity: number;
  /** Resolves once `n` records fit. */
  whenSpace(n: number): Promise<void>;
  /** Resolves once record `seq` and every record before it are stored downstream. */
  whenDelivered(seq: number): Promise<void>;
}

export interface JetStreamSinkOptions {
  /** NATS server URL(s), e.g. `nats://127.0.0.1:4222`. */
  readonly servers: string | readonly string[];
  /** Subject every record is published on. */
  readonly subject: string;
  /**
   * Stream to make sure of before publishing: created (file storage, the subject, the duplicate
   * window) when missing. Leave out when the stream is managed elsewhere.
   */
  readonly stream?: string;
  /** Duplicate window of a stream this sink creates, in ms; default 2 minutes. */
  readonly duplicateWindowMs?: number;
  /** Records held until acknowledged, at most; default 16,384. */
  readonly maxBuffered?: number;
  /** Publishes waiting for their ack at once, at most; default 256. */
  readonly maxInFlight?: number;
  /** How long one publish waits for its ack before it is retried, in ms; default 5,000. */
  readonly ackTimeoutMs?: number;
  /** Connection name shown by the server. */
  readonly name?: string;
}

/** What the sink did so far. */
export interface SinkStats {
  /** Publishes sent, resends included. */
  sent: number;
  /** Records acknowledged. */
  acked: number;
  /** Acks the broker marked as duplicates (a resend of a record it already had). */
  duplicates: number;
  /** Publishes that failed and were sent again. */
  failures: number;
  /** Most records held at once. */
  peakBuffered: number;
}

const encoder = new TextEncoder();

export class JetStreamSink implements RecordSink, AsyncDisposable {
  readonly #nc: NatsConnection;
  readonly #js: JetStreamClient;
  readonly #subject: string;
  readonly #queue: AckQueue;
  readonly #maxInFlight: number;
  readonly #ackTimeoutMs: number;
  #inFlight = 0;
  #failed = false;
  #backoffMs = 0;
  #closed = false;
  #lastError: unknown;
  readonly stats: SinkStats = { sent: 0, acked: 0, duplicates: 0, failures: 0, peakBuffered: 0 };

  private constructor(nc: NatsConnection, options: JetStreamSinkOptions) {
    this.#nc = nc;
    this.#js = jetstream(nc);
    this.#subject = options.subject;
    this.#queue = new AckQueue(options.maxBuffered ?? 16_384);
    this.#maxInFlight = positiveInteger('maxInFlight', options.maxInFlight ?? 256);
    this.#ackTimeoutMs = positiveInteger('ackTimeoutMs', options.ackTimeoutMs ?? 5000);
  }

  /**
   * Connects (the first connection must succeed; later ones are retried without limit) and
   * makes sure of the stream when `stream` is given.
   */
  static async connect(options: JetStreamSinkOptions): Promise<JetStreamSink> {
    const nc = await connect({
      servers: typeof options.servers === 'string' ? options.servers : [...options.servers],
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      ...(options.name === undefined ? {} : { name: options.name }),
    });
    try {
      if (options.stream !== undefined) {
        await ensureStream(await jetstreamManager(nc), {
          stream: options.stream,
          subject: options.subject,
          duplicateWindowMs: options.duplicateWindowMs ?? 120_000,
        });
      }
      return new JetStreamSink(nc, options);
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  get space(): number {
    return this.#queue.space;
  }

  get capacity(): number {
    return this.#queue.capacity;
  }

  /** Records held (offered, not yet acknowledged). */
  get buffered(): number {
    return this.#queue.size;
  }

  /** The last publish error, kept for diagnostics while the sink retries. */
  get lastError(): unknown {
    return this.#lastError;
  }

  offer(record: InotifyRecord): boolean {
    if (this.#closed) throw new Error('JetStreamSink is closed');
    const entry: QueueEntry = {
      seq: record.seq,
      id: messageId(record),
      data: encoder.encode(JSON.stringify(record)),
      acked: false,
    };
    if (!this.#queue.offer(entry)) return false;
    if (this.#queue.size > this.stats.peakBuffered) this.stats.peakBuffered = this.#queue.size;
    this.#pump();
    return true;
  }

  whenSpace(n: number): Promise<void> {
    return this.#queue.whenSpace(n);
  }

  whenDelivered(seq: number): Promise<void> {
    return this.#queue.whenDelivered(seq);
  }

  /** Resolves once every record offered so far is acknowledged. */
  flush(): Promise<void> {
    return this.#queue.whenDelivered(Number.MAX_SAFE_INTEGER);
  }

  #pump(): void {
    if (this.#failed || this.#closed) return;
    while (this.#inFlight < this.#maxInFlight) {
      const entry = this.#queue.nextToSend();
      if (entry === undefined) return;
      this.#send(entry);
    }
  }

  #send(entry: QueueEntry): void {
    this.#inFlight++;
    this.stats.sent++;
    this.#js.publish(this.#subject, entry.data, { msgID: entry.id, timeout: this.#ackTimeoutMs }).then(
      (ack) => {
        this.#inFlight--;
        this.stats.acked++;
        if (ack.duplicate) this.stats.duplicates++;
        this.#backoffMs = 0;
        this.#queue.ack(entry);
        this.#settled();
      },
      (error: unknown) => {
        this.#inFlight--;
        this.stats.failures++;
        this.#lastError = error;
        this.#failed = true;
        this.#settled();
      },
    );
  }

  /** After a publish settles: go on, or, after a failure, resend once nothing is in flight. */
  #settled(): void {
    if (!this.#failed) {
      this.#pump();
      return;
    }
    if (this.#inFlight > 0 || this.#closed) return;
    this.#backoffMs = Math.min(2000, Math.max(100, this.#backoffMs * 2));
    setTimeout(() => {
      this.#failed = false;
      this.#queue.rewind();
      this.#pump();
    }, this.#backoffMs);
  }

  /**
   * Waits up to `timeoutMs` (default 10 s) for every record to be acknowledged, then closes the
   * connection. Returns how many records were still not acknowledged (0 when all were stored).
   */
  async close(timeoutMs = 10_000): Promise<number> {
    if (this.#closed) return this.#queue.size;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.flush(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    this.#closed = true;
    await this.#nc.close();
    return this.#queue.size;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`${name} must be an integer >= 1, got ${value}`);
  return value;
}
