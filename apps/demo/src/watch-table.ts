/**
 * `inotify-demo-watch`'s table, byte for byte as inotifywatch prints it:
 *
 * ```
 * total  attrib  close_write  open  create  filename
 * 3      1       1            1     0       /tmp/w/
 * ```
 *
 * One row per watch (named as `%w` names it), one column per event type in inotifywatch's
 * order, each header followed by two spaces and each count left-aligned to its header's width.
 * Only the columns of watched event types that happened, and rows with events, are shown
 * unless `-z`. Every event counts in `total`, `IGNORED` included (it has no column); rows are
 * sorted by `-a`/`-d` (default: total, descending), ties by watch descriptor.
 */
import {
  IN_ACCESS,
  IN_ATTRIB,
  IN_CLOSE_NOWRITE,
  IN_CLOSE_WRITE,
  IN_CREATE,
  IN_DELETE,
  IN_DELETE_SELF,
  IN_MODIFY,
  IN_MOVE_SELF,
  IN_MOVED_FROM,
  IN_MOVED_TO,
  IN_OPEN,
  IN_UNMOUNT,
} from '@inotify-ts/inotify';
import type { SortKey } from './options.js';

/** inotifywatch's columns, in its order. */
const COLUMNS: readonly (readonly [number, string])[] = [
  [IN_ACCESS, 'access'],
  [IN_MODIFY, 'modify'],
  [IN_ATTRIB, 'attrib'],
  [IN_CLOSE_WRITE, 'close_write'],
  [IN_CLOSE_NOWRITE, 'close_nowrite'],
  [IN_OPEN, 'open'],
  [IN_MOVED_FROM, 'moved_from'],
  [IN_MOVED_TO, 'moved_to'],
  [IN_MOVE_SELF, 'move_self'],
  [IN_CREATE, 'create'],
  [IN_DELETE, 'delete'],
  [IN_DELETE_SELF, 'delete_self'],
  [IN_UNMOUNT, 'unmount'],
];

interface Row {
  readonly wd: number;
  readonly name: Buffer;
  total: number;
  readonly hits: Map<number, number>;
}

/** Counts events per watch. */
export class WatchTable {
  readonly #rows = new Map<number, Row>();
  readonly #totals = new Map<number, number>();
  #total = 0;

  /** How many events were counted. */
  get total(): number {
    return this.#total;
  }

  #row(wd: number, name: Buffer): Row {
    let row = this.#rows.get(wd);
    if (row === undefined) {
      row = { wd, name, total: 0, hits: new Map() };
      this.#rows.set(wd, row);
    }
    return row;
  }

  /**
   * Makes sure a watch has a row (for `-z`, which shows watches without events).
   *
   * @param wd - the watch descriptor.
   * @param name - its `%w`.
   */
  add(wd: number, name: Buffer): void {
    this.#row(wd, name);
  }

  /**
   * Counts one event.
   *
   * @param wd - its watch descriptor.
   * @param name - the watch's `%w`.
   * @param mask - the event's mask.
   */
  record(wd: number, name: Buffer, mask: number): void {
    const row = this.#row(wd, name);
    row.total++;
    this.#total++;
    for (const [bit] of COLUMNS) {
      if ((mask & bit) === 0) continue;
      row.hits.set(bit, (row.hits.get(bit) ?? 0) + 1);
      this.#totals.set(bit, (this.#totals.get(bit) ?? 0) + 1);
    }
  }

  /**
   * The table, or `undefined` when no event was counted (inotifywatch then says
   * `No events occurred.` on stderr).
   *
   * @param mask - the watched events: only their columns can show.
   * @param zero - `-z`.
   * @param sort - `-a`/`-d`.
   */
  render(mask: number, zero: boolean, sort: SortKey): Buffer | undefined {
    if (this.#total === 0) return undefined;
    const columns = COLUMNS.filter(
      ([bit]) => (mask & bit) !== 0 && (zero || (this.#totals.get(bit) ?? 0) > 0),
    );
    const key = (row: Row) => (sort.event === 0 ? row.total : (row.hits.get(sort.event) ?? 0));
    const rows = [...this.#rows.values()]
      .filter((row) => zero || row.total > 0)
      .sort((a, b) => (key(a) - key(b)) * (sort.ascending ? 1 : -1) || a.wd - b.wd);
    const lines: (string | Buffer)[] = [
      `total  ${columns.map(([, title]) => `${title}  `).join('')}filename\n`,
    ];
    for (const row of rows) {
      const cells = columns.map(([bit, title]) => `${String(row.hits.get(bit) ?? 0).padEnd(title.length)}  `);
      lines.push(`${String(row.total).padEnd(5)}  ${cells.join('')}`, row.name, '\n');
    }
    return Buffer.concat(lines.map((part) => (typeof part === 'string' ? Buffer.from(part) : part)));
  }
}
