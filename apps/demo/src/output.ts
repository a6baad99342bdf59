/**
 * Buffered output: lines and byte chunks are gathered and written in one `write` when the event
 * loop next turns (or once 64 KiB are waiting), so a burst of events costs a few system calls,
 * not one per line. Writing never fails silently: the program listens for the stream's errors
 * (see `main.ts`), and a file written with {@link FileSink} reports its errors the same way.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

/** A stream lines are written to. */
export interface LineStream {
  write(chunk: string | Uint8Array): boolean;
}

/** Gathers lines and writes them in batches. */
export class LineOutput {
  readonly #stream: LineStream;
  readonly #limit: number;
  #pending: (string | Uint8Array)[] = [];
  #size = 0;
  #scheduled: NodeJS.Immediate | undefined;

  /**
   * @param stream - stdout in the program, or the `--outfile`.
   * @param limit - write at once when this many characters or bytes are waiting.
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
    this.chunk(`${line}\n`);
  }

  /**
   * Queues text or bytes as they are (an inotifywait `--format` line brings its own newline).
   *
   * @param chunk - what to write.
   */
  chunk(chunk: string | Uint8Array): void {
    this.#pending.push(chunk);
    this.#size += chunk.length;
    if (this.#size >= this.#limit) this.flush();
    else this.#scheduled ??= setImmediate(() => this.flush());
  }

  /** Writes everything queued now. */
  flush(): void {
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    if (this.#pending.length === 0) return;
    const chunks = this.#pending;
    this.#pending = [];
    this.#size = 0;
    if (chunks.every((chunk) => typeof chunk === 'string')) this.#stream.write(chunks.join(''));
    else
      this.#stream.write(
        Buffer.concat(chunks.map((chunk) => (typeof chunk === 'string' ? Buffer.from(chunk) : chunk))),
      );
  }
}

/**
 * `-o/--outfile`: a file opened for appending (created with mode 0600, as inotifywait does) and
 * written synchronously, whole chunks at a time. A failed write is handed to `onError`, once.
 */
export class FileSink implements LineStream {
  readonly #fd: number;
  readonly #onError: (error: NodeJS.ErrnoException) => void;
  #failed = false;

  /**
   * @param path - the file.
   * @param onError - told about the first failed write.
   * @throws Node's error (ENOENT, EACCES, …) when the file cannot be opened.
   */
  constructor(path: string, onError: (error: NodeJS.ErrnoException) => void) {
    this.#fd = openSync(path, 'a', 0o600);
    this.#onError = onError;
  }

  write(chunk: string | Uint8Array): boolean {
    if (this.#failed) return false;
    let bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    try {
      while (bytes.length > 0) bytes = bytes.subarray(writeSync(this.#fd, bytes));
    } catch (error) {
      this.#failed = true;
      this.#onError(error as NodeJS.ErrnoException);
      return false;
    }
    return true;
  }

  close(): void {
    closeSync(this.#fd);
  }
}
