/**
 * Buffered line output to stdout. Lines are joined and written in large chunks (one syscall per
 * ~64 KiB instead of per line); a closed pipe (`wirelens read big.pcap | head`) ends the program
 * quietly instead of throwing EPIPE. `backpressure()` tells the reading loop to wait while a slow
 * reader (a pipe, a terminal) has not taken what was written: output never piles up in memory.
 */
export class LineWriter {
  private buf: string[] = [];
  private size = 0;
  private closed = false;
  private drained: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  onClosed: (() => void) | undefined;

  constructor(
    private readonly stream: NodeJS.WritableStream = process.stdout,
    private readonly limit = 1 << 16,
  ) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') {
        this.closed = true;
        this.buf = [];
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
    this.buf.push(s);
    this.size += s.length + 1;
    if (this.size >= this.limit) this.flush();
  }

  flush(): void {
    if (this.closed || this.buf.length === 0) return;
    const text = `${this.buf.join('\n')}\n`;
    this.buf = [];
    this.size = 0;
    if (!this.stream.write(text) && this.drained === undefined) {
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
