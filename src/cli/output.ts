/**
 * Buffered line output to stdout. Lines are encoded into one byte buffer and written in large
 * chunks (one syscall per ~64 KiB instead of per line); a closed pipe (`wirelens read big.pcap |
 * head`) ends the program quietly instead of throwing EPIPE. `backpressure()` tells the reading loop
 * to wait while a slow reader (a pipe, a terminal) has not taken what was written: output never
 * piles up in memory.
 */
import { TextBuffer } from '../core/text-buffer.js';

export class LineWriter {
  /**
   * The pending output. A hot path may format a line straight into it (no string at all), then
   * call `endLine()`; everything else goes through `line()`.
   */
  readonly text: TextBuffer;
  private closed = false;
  private drained: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  onClosed: (() => void) | undefined;

  constructor(
    private readonly stream: NodeJS.WritableStream = process.stdout,
    private readonly limit = 1 << 16,
  ) {
    // Room for a full chunk plus a typical line, so it rarely has to grow.
    this.text = new TextBuffer(limit + 4096);
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') {
        this.closed = true;
        this.text.truncate();
        this.release();
        this.onClosed?.();
        return;
      }
      throw e;
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  line(s: string): void {
    if (this.closed) return;
    this.text.utf8(s);
    this.endLine();
  }

  /** End the line formatted into `text` (dropped if the output is closed). */
  endLine(): void {
    if (this.closed) {
      this.text.truncate();
      return;
    }
    this.text.byte(10);
    if (this.text.length >= this.limit) this.flush();
  }

  flush(): void {
    if (this.closed || this.text.length === 0) return;
    if (!this.stream.write(this.text.take()) && this.drained === undefined) {
      this.drained = new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.stream.once('drain', () => this.release());
    }
  }

  /** While the stream holds more than its buffer: a promise that settles once it has drained. */
  backpressure(): Promise<void> | undefined {
    return this.drained;
  }

  private release(): void {
    const wake = this.wake;
    this.drained = undefined;
    this.wake = undefined;
    wake?.();
  }

  /** Flush and wait until the stream has taken everything. */
  async end(): Promise<void> {
    this.flush();
    if (this.closed) return;
    await new Promise<void>((resolve) => {
      if (this.stream.write('')) resolve();
      else this.stream.once('drain', () => resolve());
    });
  }
}
