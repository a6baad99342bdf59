/**
 * The sink's bounded buffer: records in seq order from the moment they are offered until the
 * broker acknowledged them. It never blocks the producer: `offer` either takes a record or says
 * at once that there is no room (the caller then drops it with an explicit gap). Records leave
 * only from the front, once acknowledged, so "everything up to seq N is stored" is one compare.
 */

/** One buffered record: its message id, its bytes, and whether the broker has stored it. */
export interface QueueEntry {
  readonly seq: number;
  /** The sink's own number for it (the end of its reply subject). */
  readonly token: number;
  readonly id: string;
  readonly data: Uint8Array;
  acked: boolean;
}

interface Waiter {
  readonly ready: () => boolean;
  readonly resolve: () => void;
}

export class AckQueue {
  readonly capacity: number;
  #entries: QueueEntry[] = [];
  #head = 0;
  /** Index of the next entry to send. */
  #next = 0;
  /** Highest seq such that it and every record offered before it are acknowledged. */
  #deliveredSeq = 0;
  #waiters: Waiter[] = [];

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw Object.assign(new RangeError(`maxBuffered must be an integer >= 1, got ${String(capacity)}`), {
        code: 'ERR_OUT_OF_RANGE',
      });
    }
    this.capacity = capacity;
  }

  /** Records held: offered and not yet acknowledged. */
  get size(): number {
    return this.#entries.length - this.#head;
  }

  get space(): number {
    return this.capacity - this.size;
  }

  get deliveredSeq(): number {
    return this.#deliveredSeq;
  }

  /** Takes `entry` if there is room; never waits. */
  offer(entry: QueueEntry): boolean {
    if (this.size >= this.capacity) return false;
    this.#entries.push(entry);
    return true;
  }

  /** The next entry to send, skipping those already acknowledged; `undefined` when all were sent. */
  nextToSend(): QueueEntry | undefined {
    while (this.#next < this.#entries.length) {
      const entry = this.#entries[this.#next++]!;
      if (!entry.acked) return entry;
    }
    return undefined;
  }

  /** Sends everything not yet acknowledged again, from the front (after a failure). */
  rewind(): void {
    this.#next = this.#head;
  }

  /** Marks `entry` stored and releases every acknowledged record at the front. */
  ack(entry: QueueEntry): void {
    entry.acked = true;
    const entries = this.#entries;
    while (this.#head < entries.length && entries[this.#head]!.acked) {
      this.#deliveredSeq = entries[this.#head]!.seq;
      this.#head++;
    }
    if (this.#head > 1024 && this.#head * 2 > entries.length) {
      this.#entries = entries.slice(this.#head);
      this.#next -= this.#head;
      this.#head = 0;
    }
    this.#wake();
  }

  /** Resolves once at least `n` records fit. */
  whenSpace(n: number): Promise<void> {
    return this.#when(() => this.space >= Math.min(n, this.capacity));
  }

  /** Resolves once the record `seq` and every record before it are acknowledged. */
  whenDelivered(seq: number): Promise<void> {
    return this.#when(() => this.#deliveredSeq >= seq || this.size === 0);
  }

  #when(ready: () => boolean): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ ready, resolve }));
  }

  #wake(): void {
    if (this.#waiters.length === 0) return;
    const waiting = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiting) {
      if (waiter.ready()) waiter.resolve();
      else this.#waiters.push(waiter);
    }
  }
}
