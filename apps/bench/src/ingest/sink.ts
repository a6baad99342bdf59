/**
 * The user code of every Node ingest consumer: counts events, checks them against
 * the producer's order, records delivery times in latency mode, and prints the
 * protocol lines (see protocol.ts). The C consumer does the same per event.
 */
import { type ConsumerSummary, type OrderSample, STOP_NAME, STORM_NAMES } from './protocol.js';

const IN_MODIFY = 0x2;
const IN_CLOSE_WRITE = 0x8;
const IN_OPEN = 0x20;
const IN_Q_OVERFLOW = 0x4000;
/** The masks of one producer operation, in the order the kernel queues them. */
const ORDER = [IN_OPEN, IN_MODIFY, IN_CLOSE_WRITE] as const;
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
  readonly #orderSamples: OrderSample[] = [];
  readonly #delivered: Float64Array;
  #modifies = 0;

  constructor(expected: number, latency: number) {
    this.#expected = expected;
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
    if (mask !== ORDER[this.#phase] || name !== STORM_NAMES[this.#nameIndex]) {
      if (this.firstOrderError < 0) this.firstOrderError = k;
      if (this.orderErrors++ < MAX_ORDER_SAMPLES) {
        this.#orderSamples.push({
          k,
          mask,
          name,
          wantMask: ORDER[this.#phase]!,
          wantName: STORM_NAMES[this.#nameIndex]!,
        });
      }
    }
    if (++this.#phase === 3) {
      this.#phase = 0;
      if (++this.#nameIndex === 100) this.#nameIndex = 0;
    }
    if (mask === IN_MODIFY && this.#modifies < this.#delivered.length) {
      this.#delivered[this.#modifies++] = Number(process.hrtime.bigint());
    }
    if (this.events === this.#expected) process.stdout.write('done\n');
    return false;
  }

  /**
   * `n` events of a peer that neither reports kernel masks nor overflows (fs.watch,
   * chokidar, @parcel/watcher): only counted.
   */
  count(n: number): void {
    const before = this.events;
    this.events += n;
    if (before < this.#expected && this.events >= this.#expected) process.stdout.write('done\n');
  }

  /** Prints the summary line. `checked`: whether event() (masks, order, overflows) was used. */
  finish(checked: boolean): void {
    const summary: ConsumerSummary = {
      events: this.events,
      overflows: checked ? this.overflows : null,
      orderErrors: checked ? this.orderErrors : null,
      firstOrderError: this.firstOrderError,
      orderSamples: this.#orderSamples,
      deliveredNs: Array.from(this.#delivered.subarray(0, this.#modifies)),
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  }
}

/** Prints the `ready` line. */
export function ready(): void {
  process.stdout.write('ready\n');
}
