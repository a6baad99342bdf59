/**
 * The capacity ramp: the highest paced rate a consumer sustains with nothing lost, found by
 * bisection on the rate, each step a fixed number of operations. Kept apart from the processes
 * it drives so that the search itself is a pure function of the trials' answers.
 */

/** What one step measured: the rate asked of the producer (0: as fast as it goes), the rate it reached, and whether the consumer kept up. */
export interface RampStep {
  readonly rate: number;
  readonly achieved: number;
  readonly ok: boolean;
}

/** The ramp's answer. */
export interface RampResult {
  /**
   * The highest rate (operations/s) sustained, or null when even the lowest step lost events.
   * With `bound: 'producer'` the consumer kept up with the unpaced producer, so its capacity is at
   * least this.
   */
  readonly capacity: number | null;
  /** `'producer'`: the producer's top speed was sustained (a lower bound); `'consumer'`: the consumer's limit was found. */
  readonly bound: 'producer' | 'consumer';
  readonly steps: readonly RampStep[];
}

/**
 * Runs the ramp. The first step is unpaced: the producer's top speed, `top`. When the consumer
 * keeps up, the answer is `top` (bound by the producer). Otherwise `steps` bisection steps search
 * (0, top): a step at rate r that keeps up raises the floor to r, one that loses events lowers the
 * ceiling to r (each at the rate the producer reached, when it fell short of r). The search ends
 * when the interval cannot be halved any more.
 */
export async function ramp(
  trial: (rate: number) => Promise<{ readonly achieved: number; readonly ok: boolean }>,
  steps: number,
): Promise<RampResult> {
  const log: RampStep[] = [];
  const first = await trial(0);
  log.push({ rate: 0, ...first });
  if (first.ok) return { capacity: first.achieved, bound: 'producer', steps: log };
  let lo = 0;
  let hi = first.achieved;
  for (let i = 0; i < steps; i++) {
    const rate = Math.round((lo + hi) / 2);
    if (rate <= lo || rate >= hi) break;
    const step = await trial(rate);
    log.push({ rate, ...step });
    // The producer may fall short of the rate asked (it shares the CPUs): a step counts at the
    // rate it reached, for a loss as for a success; a loss at or below the floor (noise) leaves
    // the floor where it is.
    if (step.ok) lo = Math.max(lo, Math.min(rate, step.achieved));
    else hi = Math.max(lo, Math.min(rate, step.achieved));
  }
  return { capacity: lo === 0 ? null : lo, bound: 'consumer', steps: log };
}
