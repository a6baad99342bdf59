import { describe, expect, it } from 'vitest';
import { interleave } from './interleave.js';

/**
 * A source whose pending read settles only when `ended` aborts, with `onAbort()`'s result: as an
 * inotify reader that had read an event in the same turn as the abort. Records its calls.
 */
function lateSource(ended: AbortSignal, onAbort: () => IteratorResult<string>) {
  const calls: string[] = [];
  const iterator: AsyncIterator<string> = {
    next: () => {
      calls.push('next');
      return new Promise((resolve) => {
        if (ended.aborted) resolve({ value: undefined, done: true });
        else ended.addEventListener('abort', () => resolve(onAbort()), { once: true });
      });
    },
    return: async () => {
      calls.push('return');
      return { value: undefined, done: true };
    },
  };
  return { calls, source: { [Symbol.asyncIterator]: () => iterator } };
}

/** A source that yields `values`, then reads until `ended` aborts. */
async function* eager(values: readonly string[], ended: AbortSignal): AsyncGenerator<string> {
  yield* values;
  if (!ended.aborted)
    await new Promise((resolve) => ended.addEventListener('abort', resolve, { once: true }));
}

describe('interleave', () => {
  it('hands what a source read while the stream was ending to leftovers, and ends only once every source has', async () => {
    const ended = new AbortController();
    const late = lateSource(ended.signal, () => ({ value: 'b1', done: false }));
    const leftovers: string[] = [];
    const seen: string[] = [];
    for await (const value of interleave([eager(['a1'], ended.signal), late.source], leftovers, ended)) {
      seen.push(value);
      break;
    }
    expect(seen).toEqual(['a1']);
    expect(ended.signal.aborted).toBe(true);
    expect(leftovers).toEqual(['b1']);
    // Its read settled before the stream ended, and it was told to finish.
    expect(late.calls).toEqual(['next', 'return']);
  });

  it('adds nothing to leftovers when the sources end with nothing read', async () => {
    const ended = new AbortController();
    const late = lateSource(ended.signal, () => ({ value: undefined, done: true }));
    const leftovers: string[] = [];
    const seen: string[] = [];
    for await (const value of interleave(
      [eager(['a1', 'a2'], ended.signal), late.source],
      leftovers,
      ended,
    )) {
      seen.push(value);
      if (value === 'a2') break;
    }
    expect(seen).toEqual(['a1', 'a2']);
    expect(leftovers).toEqual([]);
    // Its read was pending when the stream ended: it is told to finish, whatever it read.
    expect(late.calls).toEqual(['next', 'return']);
  });

  it('rethrows a source failure after every other source has ended, keeping what they read', async () => {
    const ended = new AbortController();
    const late = lateSource(ended.signal, () => ({ value: 'b1', done: false }));
    const failing: AsyncIterable<string> = {
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error('EIO on the first source')) }),
    };
    const leftovers: string[] = [];
    await expect(
      (async () => {
        for await (const _ of interleave([failing, late.source], leftovers, ended)) {
          // nothing is delivered before the failure
        }
      })(),
    ).rejects.toThrow('EIO on the first source');
    expect(leftovers).toEqual(['b1']);
    expect(late.calls).toEqual(['next', 'return']);
  });
});
