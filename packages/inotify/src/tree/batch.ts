import type { EventBatch } from '@inotify-ts/decoder';

/**
 * The records `from <= i < end` of `batch` with `keep[i - from] !== 0` (every one when `keep` is
 * `null`), as a batch of their own. Without dropped records the columns are views (no copy);
 * otherwise they are copied once. Names are read from `batch`, so the result is valid exactly as
 * long as it.
 */
export function selectRecords(
  batch: EventBatch,
  keep: Uint8Array | null,
  from: number,
  end: number,
): EventBatch {
  if (keep === null) {
    if (from === 0 && end === batch.count) return batch;
    const count = end - from;
    return {
      count,
      wd: batch.wd.subarray(from, end),
      mask: batch.mask.subarray(from, end),
      cookie: batch.cookie.subarray(from, end),
      len: batch.len.subarray(from, end),
      name: (i: number) => batch.name(checkIndex(i, count) + from),
      nameBytes: (i: number) => batch.nameBytes(checkIndex(i, count) + from),
      error: null,
    };
  }
  let count = 0;
  for (let i = from; i < end; i++) if (keep[i - from] !== 0) count++;
  const index = new Int32Array(count);
  const wd = new Int32Array(count);
  const mask = new Uint32Array(count);
  const cookie = new Uint32Array(count);
  const len = new Uint32Array(count);
  for (let i = from, k = 0; i < end; i++) {
    if (keep[i - from] === 0) continue;
    index[k] = i;
    wd[k] = batch.wd[i]!;
    mask[k] = batch.mask[i]!;
    cookie[k] = batch.cookie[i]!;
    len[k] = batch.len[i]!;
    k++;
  }
  return {
    count,
    wd,
    mask,
    cookie,
    len,
    name: (i: number) => batch.name(index[checkIndex(i, count)]!),
    nameBytes: (i: number) => batch.nameBytes(index[checkIndex(i, count)]!),
    error: null,
  };
}

function checkIndex(i: number, count: number): number {
  if (!Number.isInteger(i) || i < 0 || i >= count) {
    throw new RangeError(`record index ${i} is out of range: the batch has ${count} records`);
  }
  return i;
}
