/**
 * When the tree may walk again after `IN_Q_OVERFLOW`: the first rescan runs as soon as the tree
 * is idle; the next one waits until `minIntervalMs` passed since the previous one ended, and at
 * least four times as long as that one took, so that a storm of overflows cannot keep the tree
 * walking.
 */
export class RescanSchedule {
  #requested = false;
  #notBefore = Number.NEGATIVE_INFINITY;
  readonly #minIntervalMs: number;

  constructor(minIntervalMs: number) {
    this.#minIntervalMs = minIntervalMs;
  }

  /** Asks for a rescan (an overflow was read). */
  request(): void {
    this.#requested = true;
  }

  /** Milliseconds until the requested rescan may run (0: now); `undefined` if none is requested. */
  dueInMs(now: number): number | undefined {
    if (!this.#requested) return undefined;
    return Math.max(0, this.#notBefore - now);
  }

  /** Records a rescan that ran from `start` to `end` (`performance.now()` values). */
  ran(start: number, end: number): void {
    this.#requested = false;
    this.#notBefore = end + Math.max(this.#minIntervalMs, 4 * (end - start));
  }
}
