/** Where the bench keeps what it builds: compiled helpers and the cached tree. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The bench's cache directory: `$INOTIFY_TS_BENCH_DIR` when set, else
 * `<os.tmpdir()>/inotify-ts-bench`. Created by whoever writes into it.
 */
export function cacheDir(): string {
  return process.env['INOTIFY_TS_BENCH_DIR'] ?? join(tmpdir(), 'inotify-ts-bench');
}
