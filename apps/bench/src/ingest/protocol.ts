/**
 * What the bench and an ingest consumer process tell each other. Shared by the
 * parent (bench.ts) and the Node consumers (consumer.ts); the C consumer speaks the
 * same protocol (native/consumer.c).
 *
 * - The consumer prints `ready` once its watch is armed.
 * - It prints `done` as soon as it has seen `expected` events.
 * - The bench creates the directory `stop` in the watched directory when the storm
 *   is over and the consumer is done or idle; the consumer then prints one JSON
 *   {@link ConsumerSummary} line and exits.
 */

/** The Node consumers the bench can start (`node consumer.js <ConsumerConfig JSON>`). */
export const NODE_CONSUMERS = ['eventGen', 'events', 'batches', 'fs.watch', 'chokidar', 'parcel'] as const;

/** One of {@link NODE_CONSUMERS}. */
export type NodeConsumerKind = (typeof NODE_CONSUMERS)[number];

/** argv[2] of a Node consumer, as JSON. */
export interface ConsumerConfig {
  /** Which consumer to run. */
  readonly kind: NodeConsumerKind;
  /** The directory to watch (the storm's). */
  readonly dir: string;
  /** The watch mask of the inotify-ts consumers (the peers choose their own). */
  readonly mask: number;
  /** The events one producer operation queues for this consumer, in order (see mask.ts opOrder). */
  readonly order: readonly number[];
  /** Events the run makes for this consumer (operations times `order.length`): `done` on reaching it. */
  readonly expected: number;
  /** Record the delivery time of the first `latency` IN_MODIFY events (0: none). */
  readonly latency: number;
  /** Options for `new Inotify(…)` in the inotify-ts consumers (`--inotify-options`), to measure levers. */
  readonly inotifyOptions?: Readonly<Record<string, unknown>>;
}

/** The consumer's last line. */
export interface ConsumerSummary {
  /** Storm events delivered to user code (the `stop` directory's own events excluded). */
  readonly events: number;
  /** IN_Q_OVERFLOW events seen, or null for a consumer that cannot see them. */
  readonly overflows: number | null;
  /** Events out of the producer's order, or null for a consumer that does not check. */
  readonly orderErrors: number | null;
  /** Index of the first event out of order, -1 when none. */
  readonly firstOrderError: number;
  /** The first few events out of order, with what was expected there (empty for the C consumer). */
  readonly orderSamples?: readonly OrderSample[];
  /** CLOCK_MONOTONIC ns at which each of the first `latency` IN_MODIFY events reached user code. */
  readonly deliveredNs: readonly number[];
}

/** Name of the directory whose creation ends a run. */
export const STOP_NAME = 'stop';

/** The 100 file names the producer cycles over, in its order. */
export const STORM_NAMES: readonly string[] = Object.freeze(
  Array.from({ length: 100 }, (_, i) => `f${String(i).padStart(2, '0')}`),
);

/** One event out of the producer's order: event `k` had `mask`/`name`, the order wanted the others. */
export interface OrderSample {
  readonly k: number;
  readonly mask: number;
  readonly name: string;
  readonly wantMask: number;
  readonly wantName: string;
}
