/**
 * Progress while a recursive watch is set up: `watching 8,412 directories…` on one line of
 * stderr, redrawn at most ten times a second, wiped when done. Only on a terminal: into a pipe
 * or a file it writes nothing.
 */

/** A stream progress is drawn on. */
export interface ProgressStream {
  write(text: string): boolean;
  readonly isTTY?: boolean;
}

/** A one-line progress display; every method is a no-op when it is disabled. */
export class Progress {
  readonly #stream: ProgressStream;
  readonly #enabled: boolean;
  readonly #intervalMs: number;
  #lastDraw = Number.NEGATIVE_INFINITY;
  #drawn = false;

  /**
   * @param stream - stderr in the program.
   * @param enabled - false for `-q`; a stream that is not a terminal disables it too.
   * @param intervalMs - the least time between redraws.
   */
  constructor(stream: ProgressStream, enabled: boolean, intervalMs = 100) {
    this.#stream = stream;
    this.#enabled = enabled && stream.isTTY === true;
    this.#intervalMs = intervalMs;
  }

  /**
   * Shows how many directories are watched so far. Cheap to call for every directory: it
   * redraws only when `intervalMs` has passed, and reads the clock rather than a timer, so it
   * works inside a synchronous walk.
   *
   * @param directories - directories watched so far.
   */
  update(directories: number): void {
    if (!this.#enabled) return;
    const now = performance.now();
    if (now - this.#lastDraw < this.#intervalMs) return;
    this.#lastDraw = now;
    const noun = directories === 1 ? 'directory' : 'directories';
    this.#stream.write(`\r\x1b[Kwatching ${directories.toLocaleString('en-US')} ${noun}…`);
    this.#drawn = true;
  }

  /** Wipes the progress line. */
  done(): void {
    if (this.#drawn) this.#stream.write('\r\x1b[K');
    this.#drawn = false;
  }
}
