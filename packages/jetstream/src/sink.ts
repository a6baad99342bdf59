/**
 * A record sink that publishes into NATS JetStream with acknowledgements.
 *
 * - At most `maxInFlight` publishes wait for their ack at once; the rest wait in the bounded
 *   buffer (`maxBuffered`), which the producer fills without ever waiting (`offer`).
 * - Every message carries `Nats-Msg-Id: host:boot:instance:seq`, so JetStream's duplicate
 *   window stores a resend once.
 * - A failed publish (an error reply, no JetStream answering, or no ack within `ackTimeoutMs`)
 *   stops new sends and, after a backoff, sends everything not acknowledged again from the
 *   oldest. The client reconnects by itself, without limit. So a broker restart loses nothing
 *   and duplicates nothing. An ack that arrives late still counts.
 *
 * Publishes use the JetStream publish protocol directly: a core publish with the message id
 * header and a reply subject under one inbox of this sink, whose single subscription receives
 * every PubAck. `JetStreamClient.publish()` does the same per call with a request of its own
 * (its own timer and promise), which costs about five times the CPU per message.
 */

import { Buffer } from 'node:buffer';
import { type InotifyRecord, messageId } from '@inotify-ts/record';
import { jetstreamManager } from '@nats-io/jetstream';
import {
  connect,
  createInbox,
  headers,
  type Msg,
  type NatsConnection,
  type Subscription,
} from '@nats-io/transport-node';
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

/** What a PubAck (or an error reply) of the JetStream publish protocol holds. */
interface PubAckReply {
  readonly stream?: string;
  readonly seq?: number;
  readonly duplicate?: boolean;
  readonly error?: { readonly code?: number; readonly description?: string };
}

export class JetStreamSink implements RecordSink, AsyncDisposable {
  readonly #nc: NatsConnection;
  readonly #subject: string;
  readonly #queue: AckQueue;
  readonly #maxInFlight: number;
  readonly #ackTimeoutMs: number;
  readonly #inbox = createInbox();
  readonly #subscription: Subscription;
  readonly #timer: NodeJS.Timeout;
  /** Every record offered and not yet acknowledged, by the token its reply subject ends with. */
  readonly #unacked = new Map<number, QueueEntry>();
  /** Publishes waiting for their ack: token -> when sent (insertion order = oldest first). */
  readonly #waiting = new Map<number, number>();
  #token = 0;
  #failed = false;
  #backoffMs = 0;
  #closed = false;
  #lastError: unknown;
  readonly stats: SinkStats = { sent: 0, acked: 0, duplicates: 0, failures: 0, peakBuffered: 0 };

  private constructor(nc: NatsConnection, options: JetStreamSinkOptions) {
    this.#nc = nc;
    this.#subject = options.subject;
    this.#queue = new AckQueue(options.maxBuffered ?? 16_384);
    this.#maxInFlight = positiveInteger('maxInFlight', options.maxInFlight ?? 256);
    this.#ackTimeoutMs = positiveInteger('ackTimeoutMs', options.ackTimeoutMs ?? 5000);
    this.#subscription = nc.subscribe(`${this.#inbox}.*`, { callback: (_, msg) => this.#reply(msg) });
    this.#timer = setInterval(() => this.#checkTimeouts(), Math.min(1000, this.#ackTimeoutMs / 2));
    this.#timer.unref();
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
    if (this.#closed) {
      throw Object.assign(
        new Error('JetStreamSink is closed: offer records before close(), or connect a new sink'),
        {
          code: 'ERR_JETSTREAM_SINK_CLOSED',
        },
      );
    }
    if (this.#queue.space < 1) return false;
    const entry: QueueEntry = {
      seq: record.seq,
      token: ++this.#token,
      id: messageId(record),
      // Buffer.from: a slice of Node's shared 8 KiB pool, not an ArrayBuffer per record.
      data: Buffer.from(JSON.stringify(record)),
      acked: false,
    };
    this.#queue.offer(entry);
    this.#unacked.set(entry.token, entry);
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
    while (this.#waiting.size < this.#maxInFlight) {
      const entry = this.#queue.nextToSend();
      if (entry === undefined) return;
      const h = headers();
      h.set('Nats-Msg-Id', entry.id);
      this.#nc.publish(this.#subject, entry.data, { headers: h, reply: `${this.#inbox}.${entry.token}` });
      this.#waiting.set(entry.token, performance.now());
      this.stats.sent++;
    }
  }

  /** A PubAck, an error reply, or a "no responders" status for the publish of one token. */
  #reply(msg: Msg): void {
    const token = Number(msg.subject.slice(this.#inbox.length + 1));
    let reply: PubAckReply | undefined;
    if (msg.headers?.hasError !== true && msg.data.length > 0) {
      try {
        reply = msg.json<PubAckReply>();
      } catch {
        reply = undefined;
      }
    }
    if (reply === undefined || reply.error !== undefined || typeof reply.seq !== 'number') {
      const status = msg.headers?.hasError === true ? `${msg.headers.code} ${msg.headers.description}` : '';
      this.#fail(
        new Error(`JetStream refused a publish: ${reply?.error?.description ?? (status || 'empty reply')}`),
      );
      return;
    }
    const wasWaiting = this.#waiting.delete(token);
    const entry = this.#unacked.get(token);
    if (reply.duplicate === true) this.stats.duplicates++;
    if (entry === undefined) return; // acknowledged already (an ack of a resend)
    this.#unacked.delete(token);
    this.stats.acked++;
    this.#backoffMs = 0;
    this.#queue.ack(entry);
    if (wasWaiting) this.#pump();
  }

  #checkTimeouts(): void {
    const oldest = this.#waiting.values().next();
    if (oldest.done === true) return;
    if (performance.now() - oldest.value > this.#ackTimeoutMs) {
      this.#fail(new Error(`no JetStream ack within ${this.#ackTimeoutMs} ms`));
    }
  }

  /** Stops sending; after a backoff, sends everything not acknowledged again, oldest first. */
  #fail(error: unknown): void {
    this.#lastError = error;
    if (this.#failed) return;
    this.#failed = true;
    this.stats.failures += Math.max(1, this.#waiting.size);
    this.#waiting.clear(); // a late ack for one of them still counts (#reply finds it in #unacked)
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
    clearInterval(this.#timer);
    this.#closed = true;
    this.#subscription.unsubscribe();
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
