/**
 * Several async sources read as one stream (the command line's file watches and tree watches,
 * two inotify instances), without losing what a source read while the stream was ending.
 */

/**
 * Yields what `sources` deliver, as they come. When it ends (the signal aborted, a source
 * failed, the consumer stopped), it aborts `ended`, which every source reads until, and ends
 * only once every source has: a source still reading holds its instance, and the drain that
 * follows a signal would be refused (ERR_INOTIFY_BUSY). What a source delivered meanwhile (read
 * before it saw the abort) goes to `leftovers`, the first thing the drain hands over.
 */
export async function* interleave<T>(
  sources: readonly AsyncIterable<T>[],
  leftovers: T[],
  ended: AbortController,
): AsyncGenerator<T> {
  type Pulled = { index: number; result: IteratorResult<T> } | { index: number; error: unknown };
  const iterators = sources.map((source) => source[Symbol.asyncIterator]());
  const pending = new Map<number, Promise<Pulled>>();
  // A failure is kept as a value until its turn, so that one left pending when the loop ends
  // (the other source failed first, or the consumer stopped) is never an unhandled rejection.
  const pull = (index: number) =>
    pending.set(
      index,
      iterators[index]!.next().then(
        (result) => ({ index, result }),
        (error: unknown) => ({ index, error }),
      ),
    );
  for (let index = 0; index < iterators.length; index++) pull(index);
  try {
    while (pending.size > 0) {
      const pulled = await Promise.race(pending.values());
      pending.delete(pulled.index);
      if ('error' in pulled) throw pulled.error;
      if (pulled.result.done === true) continue;
      yield pulled.result.value;
      pull(pulled.index);
    }
  } finally {
    ended.abort();
    const unfinished = [...pending.keys()];
    for (const pulled of await Promise.all(pending.values())) {
      if ('result' in pulled && pulled.result.done !== true) leftovers.push(pulled.result.value);
    }
    await Promise.all(unfinished.map((index) => iterators[index]!.return?.()));
  }
}
