import { describe, expect, it } from 'vitest';
import { ramp } from './ramp.js';

/** A consumer that keeps up with any rate up to `limit`, against a producer whose top is `top`. */
function consumer(limit: number, top: number) {
  const asked: number[] = [];
  const trial = async (rate: number) => {
    asked.push(rate);
    const achieved = rate === 0 ? top : Math.min(rate, top);
    return { achieved, ok: achieved <= limit };
  };
  return { trial, asked };
}

describe('ramp', () => {
  it('stops after the unpaced step when the consumer keeps up with the producer, bound by the producer', async () => {
    const { trial, asked } = consumer(1e9, 150_000);
    expect(await ramp(trial, 6)).toEqual({
      capacity: 150_000,
      bound: 'producer',
      steps: [{ rate: 0, achieved: 150_000, ok: true }],
    });
    expect(asked).toEqual([0]);
  });

  it('bisects between 0 and the producer top and returns the highest rate that kept up', async () => {
    const { trial, asked } = consumer(100_000, 160_000);
    const result = await ramp(trial, 4);
    expect(asked).toEqual([0, 80_000, 120_000, 100_000, 110_000]);
    expect(result.capacity).toBe(100_000);
    expect(result.bound).toBe('consumer');
    expect(result.steps.map((s) => s.ok)).toEqual([false, true, false, true, false]);
  });

  it('returns null when no step kept up', async () => {
    const { trial } = consumer(0, 1000);
    const result = await ramp(trial, 3);
    expect(result.capacity).toBeNull();
    expect(result.steps.map((s) => s.rate)).toEqual([0, 500, 250, 125]);
  });

  it('credits a step only with the rate the producer reached when it fell short of the one asked', async () => {
    // The producer reaches 40,000 when asked for 50,000, and the consumer keeps up with that.
    const trial = async (rate: number) =>
      rate === 0
        ? { achieved: 100_000, ok: false }
        : { achieved: Math.min(rate, 40_000), ok: rate <= 50_000 };
    const result = await ramp(trial, 1);
    expect(result.capacity).toBe(40_000);
  });

  it('lowers the ceiling only to the rate the producer reached when a step lost events', async () => {
    // Asked 50,000, the producer reaches 30,000, and the consumer loses events at it.
    const trial = async (rate: number) =>
      rate === 0 ? { achieved: 100_000, ok: false } : { achieved: Math.min(rate, 30_000), ok: rate < 25_000 };
    const result = await ramp(trial, 2);
    expect(result.steps.map((s) => s.rate)).toEqual([0, 50_000, 15_000]);
    expect(result.capacity).toBe(15_000);
  });

  it('ends when a loss falls at or below the floor, as noise makes it do', async () => {
    const answers = [
      { achieved: 100_000, ok: false },
      { achieved: 50_000, ok: true },
      { achieved: 40_000, ok: false },
    ];
    const asked: number[] = [];
    const result = await ramp(async (rate) => {
      asked.push(rate);
      return answers[asked.length - 1]!;
    }, 6);
    expect(asked).toEqual([0, 50_000, 75_000]);
    expect(result.capacity).toBe(50_000);
  });

  it('ends early once the interval cannot be halved any more', async () => {
    const { trial, asked } = consumer(1, 3);
    await ramp(trial, 10);
    expect(asked).toEqual([0, 2, 1]);
  });
});
