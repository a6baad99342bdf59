/**
 * The user code of every Node ingest consumer: counts events, checks them against
 * the producer's order, records delivery times in latency mode, and prints the
 * protocol lines (see protocol.ts). The C consumer does the same per event.
 */
import { IN_MODIFY, IN_Q_OVERFLOW } from '../mask.js';
import { type ConsumerSummary, type OrderSample, STOP_NAME, STORM_NAMES } from './protocol.js';

/** Out-of-order events kept for the report. */
const MAX_ORDER_SAMPLES = 5;

/** Per-event bookkeeping shared by the consumers. */
export class Sink {
  events = 0;
  overflows = 0;
  orderErrors = 0;
  firstOrderError = -1;
  #phase = 0;
  #nameIndex = 0;
  readonly #expected: number;
  readonly #order: readonly number[];
  readonly #orderSamples: OrderSample[] = [];
  readonly #delivered: Float64Array;
  #modifies = 0;

  /**
   * `expected`: events the run makes; `latency`: IN_MODIFY deliveries to time; `order`: the masks
   * one producer operation queues, in order (the order check walks them, then the next file).
   */
  constructor(
    expected: number,
    latency: number,
    order: readonly number[],
    readonly onDone: () => void = () => process.stdout.write('done\n'),
  ) {
    if (order.length === 0) throw new RangeError('Sink: the mask makes no event per operation');
    this.#expected = expected;
    this.#order = order;
    this.#delivered = new Float64Array(latency);
  }

  /**
   * One inotify event with its mask and file name. Returns true when it is the
   * creation of the stop directory (the caller then ends), false otherwise.
   */
  event(mask: number, name: string): boolean {
    if ((mask & IN_Q_OVERFLOW) !== 0) {
      this.overflows++;
      return false;
    }
    if (name === STOP_NAME) return true;
    const k = this.events++;
    if (mask !== this.#order[this.#phase] || name !== STORM_NAMES[this.#nameIndex]) {
      if (this.firstOrderError < 0) this.firstOrderError = k;
      if (this.orderErrors++ < MAX_ORDER_SAMPLES) {
        this.#orderSamples.push({
          k,
          mask,
          name,
          wantMask: this.#order[this.#phase]!,
          wantName: STORM_NAMES[this.#nameIndex]!,
        });
      }
    }
    if (++this.#phase === this.#order.length) {
      this.#phase = 0;
      if (++this.#nameIndex === 100) this.#nameIndex = 0;
    }
    if (mask === IN_MODIFY && this.#modifies < this.#delivered.length) {
      this.#delivered[this.#modifies++] = Number(process.hrtime.bigint());
    }
    if (this.events === this.#expected) this.onDone();
    return false;
  }

  /**
   * `n` events of a peer that neither reports kernel masks nor overflows (fs.watch,
   * chokidar, @parcel/watcher): only counted.
   */
  count(n: number): void {
    const before = this.events;
    this.events += n;
    if (before < this.#expected && this.events >= this.#expected) this.onDone();
  }

  /**
   * The summary. `seen.overflows`: whether the consumer can see IN_Q_OVERFLOW; `seen.order`:
   * whether event() (masks and names, in order) was used rather than count().
   */
  summary(seen: { readonly overflows: boolean; readonly order: boolean }): ConsumerSummary {
    return {
      events: this.events,
      overflows: seen.overflows ? this.overflows : null,
      orderErrors: seen.order ? this.orderErrors : null,
      firstOrderError: this.firstOrderError,
      orderSamples: this.#orderSamples,
      deliveredNs: Array.from(this.#delivered.subarray(0, this.#modifies)),
    };
  }

  /**
   * Prints the {@link summary} line; resolves once it is written. stdout on a pipe is written
   * asynchronously: exiting before the callback cuts a long line (thousands of delivery times).
   */
  finish(seen: { readonly overflows: boolean; readonly order: boolean }): Promise<void> {
    return new Promise((resolve, reject) => {
      process.stdout.write(`${JSON.stringify(this.summary(seen))}\n`, (error) =>
        error ? reject(error) : resolve(),
      );
    });
  }
}

/** Prints the `ready` line. */
export function ready(): void {
  process.stdout.write('ready\n');
}
