/**
 * `--format json`: record schema v1 of `@inotify-ts/record`, one record per line. Kept apart from
 * the other formats because it is stateful: the records of one run share an identity (host,
 * boot, instance), a gap-free sequence number and the pairing of moves by cookie.
 */
import type { InotifyEvent, TreeProgress } from '@inotify-ts/inotify';
import { RecordEncoder, recordIdentity } from '@inotify-ts/record';

/** Makes the JSON lines of one run. */
export class JsonRecords {
  readonly encoder = new RecordEncoder(recordIdentity());
  #treeRescan = false;

  /**
   * The record of one event, as one line without the newline: an `event` record, or the gap
   * `kernel-overflow` for `IN_Q_OVERFLOW`.
   */
  event(event: InotifyEvent): string {
    return JSON.stringify(this.encoder.event(event));
  }

  /**
   * The gap records that bracket a tree's rescan of its watches after an overflow
   * (`rescan-started`, then `rescan-finished` with the count of directories, scan `watches`),
   * as lines without the newline; none for other progress.
   */
  treeProgress(progress: TreeProgress): string[] {
    if (progress.reason !== 'rescan') return [];
    const lines: string[] = [];
    if (!this.#treeRescan) {
      this.#treeRescan = true;
      lines.push(JSON.stringify(this.encoder.gap('rescan-started', { scan: 'watches' })));
    }
    if (progress.done) {
      this.#treeRescan = false;
      lines.push(
        JSON.stringify(this.encoder.gap('rescan-finished', { scan: 'watches', count: progress.dirs })),
      );
    }
    return lines;
  }
}
