/**
 * `--stats`: event counts per watched path and event type, printed as inotifywatch prints them.
 *
 * ```
 * total  attrib  close_write  open  create  delete  filename
 * 7      1       1            1     2       2       /tmp/w
 * ```
 *
 * Columns are the event types that happened, in bit order; rows are sorted by total, then path.
 * Each event counts once in `total` and once under each event bit it carries (flags such as
 * `IN_ISDIR` have no column).
 */
import { IN_ISDIR } from '@inotify-ts/inotify';
import { shortName } from './event-names.js';

/** The flag bits that are not events and get no column. */
const FLAG_BITS = IN_ISDIR;

interface Row {
  total: number;
  /** Counts by single mask bit. */
  readonly counts: Map<number, number>;
}

/** The stats as a plain object, for `--format json`. */
export interface StatsJson {
  readonly total: number;
  readonly paths: readonly {
    readonly path: string;
    readonly total: number;
    readonly events: Readonly<Record<string, number>>;
  }[];
}

/** Counts events by watched path and event bit. */
export class Stats {
  readonly #rows = new Map<string, Row>();
  #total = 0;

  /** How many events were counted. */
  get total(): number {
    return this.#total;
  }

  /**
   * Counts one event.
   *
   * @param path - the watched path the event belongs to (`''` for an overflow).
   * @param mask - the event's mask.
   */
  record(path: string, mask: number): void {
    let row = this.#rows.get(path);
    if (row === undefined) {
      row = { total: 0, counts: new Map() };
      this.#rows.set(path, row);
    }
    row.total++;
    this.#total++;
    let bits = (mask & ~FLAG_BITS) >>> 0;
    while (bits !== 0) {
      const bit = (bits & -bits) >>> 0;
      row.counts.set(bit, (row.counts.get(bit) ?? 0) + 1);
      bits = (bits & ~bit) >>> 0;
    }
  }

  #sortedRows(): [string, Row][] {
    return [...this.#rows].sort(([pathA, a], [pathB, b]) => b.total - a.total || (pathA < pathB ? -1 : 1));
  }

  /**
   * The table, one string per line, or `['No events occurred.']` as inotifywatch says.
   * Paths are printed as given; an overflow's row is named `(overflow)`.
   */
  table(): string[] {
    if (this.#total === 0) return ['No events occurred.'];
    const bits = new Set<number>();
    for (const row of this.#rows.values()) for (const bit of row.counts.keys()) bits.add(bit);
    const columns = [...bits].sort((a, b) => a - b);
    const header = ['total', ...columns.map(shortName), 'filename'];
    const body = this.#sortedRows().map(([path, row]) => [
      String(row.total),
      ...columns.map((bit) => String(row.counts.get(bit) ?? 0)),
      path === '' ? '(overflow)' : path,
    ]);
    const widths = header.map((title, i) =>
      Math.max(title.length, ...body.map((cells) => cells[i]?.length ?? 0)),
    );
    const line = (cells: string[]) =>
      cells
        .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd((widths[i] ?? 0) + 2)))
        .join('')
        .trimEnd();
    return [line(header), ...body.map(line)];
  }

  /** The same numbers as {@link Stats.table}, as an object. */
  toJSON(): StatsJson {
    return {
      total: this.#total,
      paths: this.#sortedRows().map(([path, row]) => ({
        path,
        total: row.total,
        events: Object.fromEntries(
          [...row.counts].sort(([a], [b]) => a - b).map(([bit, count]) => [shortName(bit), count]),
        ),
      })),
    };
  }
}

/** A stream the live table is drawn on. */
export interface LiveStream {
  write(text: string): boolean;
  readonly columns?: number;
}

/**
 * Redraws the stats table in place on a terminal, once a second, with the event rate.
 * Lines are cut to the terminal's width so the cursor arithmetic stays right.
 */
export class LiveStats {
  readonly #stats: Stats;
  readonly #stream: LiveStream;
  readonly #timer: NodeJS.Timeout;
  #drawnLines = 0;
  #lastTotal = 0;
  #lastTime = performance.now();

  /**
   * Starts redrawing.
   *
   * @param stats - the counts to show.
   * @param stream - a terminal.
   * @param intervalMs - time between redraws.
   */
  constructor(stats: Stats, stream: LiveStream, intervalMs = 1000) {
    this.#stats = stats;
    this.#stream = stream;
    this.#draw(0);
    this.#timer = setInterval(() => this.#tick(), intervalMs);
    this.#timer.unref();
  }

  #tick(): void {
    const now = performance.now();
    const total = this.#stats.total;
    const rate = ((total - this.#lastTotal) * 1000) / Math.max(1, now - this.#lastTime);
    this.#lastTotal = total;
    this.#lastTime = now;
    this.#draw(rate);
  }

  #draw(rate: number): void {
    const width = this.#stream.columns ?? 0;
    const cut = (text: string) => (width > 0 && text.length >= width ? text.slice(0, width - 1) : text);
    const lines = [
      `${this.#stats.total.toLocaleString('en-US')} events, ${Math.round(rate).toLocaleString('en-US')} events/s`,
      ...this.#stats.table(),
    ].map(cut);
    this.#stream.write(`${this.#erase()}${lines.join('\n')}\n`);
    this.#drawnLines = lines.length;
  }

  /** Moves the cursor up over the last drawing and clears to the end of the screen. */
  #erase(): string {
    return this.#drawnLines === 0 ? '' : `\x1b[${this.#drawnLines}F\x1b[J`;
  }

  /** Stops redrawing and wipes the live table, so that the final one can be printed in its place. */
  stop(): void {
    clearInterval(this.#timer);
    this.#stream.write(this.#erase());
    this.#drawnLines = 0;
  }
}
