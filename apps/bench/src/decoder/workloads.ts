/**
 * The decoder benchmark's workloads: kernel-shaped event buffers (little-endian
 * `struct inotify_event`s, names NUL-padded to a multiple of 16), built once, up front.
 */
import {
  IN_CLOSE_WRITE,
  IN_CREATE,
  IN_DELETE,
  IN_MODIFY,
  IN_MOVED_FROM,
  IN_MOVED_TO,
  IN_OPEN,
} from '@inotify-ts/decoder';

/** A workload: the buffers to decode, in turn, and whether names are read. */
export interface Workload {
  readonly id: 'a' | 'b' | 'c';
  readonly title: string;
  /** Whole kernel reads, each at most `bufferBytes` long. */
  readonly buffers: readonly Uint8Array[];
  /** Events in each buffer. */
  readonly counts: readonly number[];
  /** The consumer reads every event's name. */
  readonly names: boolean;
}

/** xorshift32, so every run builds the same bytes. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>>= 0);
  };
}

const encoder = new TextEncoder();

/** Fills buffers of at most `bufferBytes` with the events `next()` yields, until `total` buffers exist. */
function buildBuffers(
  bufferBytes: number,
  total: number,
  next: () => { wd: number; mask: number; cookie: number; name: Uint8Array | null },
): { buffers: Uint8Array[]; counts: number[] } {
  const buffers: Uint8Array[] = [];
  const counts: number[] = [];
  while (buffers.length < total) {
    const bytes = new Uint8Array(bufferBytes);
    const view = new DataView(bytes.buffer);
    let at = 0;
    let count = 0;
    for (;;) {
      const event = next();
      const n = event.name?.length ?? 0;
      const len = n === 0 ? 0 : Math.ceil((n + 1) / 16) * 16;
      if (at + 16 + len > bufferBytes) break;
      view.setInt32(at, event.wd, true);
      view.setUint32(at + 4, event.mask, true);
      view.setUint32(at + 8, event.cookie, true);
      view.setUint32(at + 12, len, true);
      if (event.name) bytes.set(event.name, at + 16);
      at += 16 + len;
      count++;
    }
    buffers.push(bytes.subarray(0, at));
    counts.push(count);
  }
  return { buffers, counts };
}

/** (a) Events without names (IN_MODIFY on watched files): the consumer reads the columns only. */
export function columnsOnly(bufferBytes: number): Workload {
  const next = random(1);
  const { buffers, counts } = buildBuffers(bufferBytes, 1, () => ({
    wd: 1 + (next() % 200),
    mask: IN_MODIFY,
    cookie: 0,
    name: null,
  }));
  return { id: 'a', title: '(a) columns only: events without names', buffers, counts, names: false };
}

/**
 * A realistic pool of `size` file names: source files, editor swap and backup files, logs,
 * numbered images, some names with non-ASCII letters; 4..60 bytes.
 */
export function namePool(size: number): Uint8Array[] {
  const next = random(7);
  const stems = ['index', 'main', 'utils', 'README', 'package', 'config', 'server', 'client', 'test', 'app'];
  const exts = ['.ts', '.js', '.json', '.md', '.c', '.h', '.py', '.log', '.jpg', '.txt', '.tsx', '.css'];
  const accents = ['é', 'ü', 'ñ', 'ø', '日本', 'résumé'];
  const names = new Set<string>();
  while (names.size < size) {
    const stem = `${stems[next() % stems.length]}${next() % 3 === 0 ? `-${next() % 1000}` : ''}`;
    const ext = exts[next() % exts.length]!;
    const kind = next() % 20;
    let name = `${stem}${ext}`;
    if (kind === 0) name = `.${name}.swp`;
    else if (kind === 1) name = `${name}~`;
    else if (kind === 2) name = `${stem}_${accents[next() % accents.length]}${ext}`;
    else if (kind === 3) name = `IMG_${String(next() % 100000).padStart(5, '0')}.jpg`;
    else if (kind === 4) name = `${stem}.${'x'.repeat(next() % 40)}${ext}`;
    names.add(name);
  }
  return [...names].map((n) => encoder.encode(n));
}

/** The events of one save or file operation on `name`, as editors and tools produce them. */
function operations(next: () => number) {
  const ops = [
    [IN_OPEN, IN_MODIFY, IN_CLOSE_WRITE],
    [IN_CREATE, IN_OPEN, IN_MODIFY, IN_CLOSE_WRITE],
    [IN_MODIFY],
    [IN_MOVED_FROM, IN_MOVED_TO],
    [IN_DELETE],
  ] as const;
  return ops[[0, 0, 0, 1, 1, 2, 2, 3, 4][next() % 9]!]!;
}

/** (b) Events with names drawn from a pool of 1,000 (names repeat, as they do in real workloads). */
export function pooledNames(bufferBytes: number, buffers: number): Workload {
  const next = random(3);
  const pool = namePool(1000);
  let pending: { wd: number; mask: number; cookie: number; name: Uint8Array }[] = [];
  let cookie = 1;
  const built = buildBuffers(bufferBytes, buffers, () => {
    if (pending.length === 0) {
      // Skewed choice: a few hot files take most of the events.
      const name = pool[Math.min(next() % 1000, next() % 1000)]!;
      const wd = 1 + (next() % 50);
      const c = cookie++;
      pending = operations(next).map((mask) => ({
        wd,
        mask,
        cookie: mask === IN_MOVED_FROM || mask === IN_MOVED_TO ? c : 0,
        name,
      }));
    }
    return pending.shift()!;
  });
  return { id: 'b', title: '(b) names from a pool of 1,000', ...built, names: true };
}

/** (c) Every event has a name never seen before (e.g. a bulk copy of fresh files). */
export function uniqueNames(bufferBytes: number, buffers: number): Workload {
  const next = random(5);
  let serial = 0;
  const built = buildBuffers(bufferBytes, buffers, () => {
    serial++;
    const tail = next() % 20 === 0 ? '-é' : '';
    const name = encoder.encode(`file-${serial.toString(36)}-${(next() % 1e6).toString(36)}${tail}.dat`);
    return { wd: 1 + (next() % 50), mask: IN_CREATE, cookie: 0, name };
  });
  return { id: 'c', title: '(c) all-unique names', ...built, names: true };
}
