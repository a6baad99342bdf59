/**
 * Buffered line output: lines are gathered and written in one `write` when the event loop next
 * turns (or once 64 KiB are waiting), so a burst of events costs a few system calls, not one
 * per line.
 */

/** A stream lines are written to. */
export interface LineStream {
  write(text: string): boolean;
}

/** Gathers lines and writes them in batches. */
export class LineOutput {
  readonly #stream: LineStream;
  readonly #limit: number;
  #pending: string[] = [];
  #size = 0;
  #scheduled: NodeJS.Immediate | undefined;

  /**
   * @param stream - stdout in the program.
   * @param limit - write at once when this many characters are waiting.
   */
  constructor(stream: LineStream, limit = 64 * 1024) {
    this.#stream = stream;
    this.#limit = limit;
  }

  /**
   * Queues one line; the newline is added here.
   *
   * @param line - the text, without a newline.
   */
  line(line: string): void {
    this.#pending.push(line);
    this.#size += line.length + 1;
    if (this.#size >= this.#limit) this.flush();
    else this.#scheduled ??= setImmediate(() => this.flush());
  }

  /** Writes everything queued now. */
  flush(): void {
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    if (this.#pending.length === 0) return;
    const text = `${this.#pending.join('\n')}\n`;
    this.#pending = [];
    this.#size = 0;
    this.#stream.write(text);
  }
}
