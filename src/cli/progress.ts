/** A progress bar on stderr while reading large files, only when stderr is a terminal. */
export class ProgressBar {
  private lastDraw = 0;
  private drawn = false;
  private readonly enabled: boolean;

  constructor(
    private readonly label: string,
    private readonly minBytes = 16 * 1024 * 1024,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.enabled = stream.isTTY === true;
  }

  readonly update = (bytes: number, total: number | undefined): void => {
    if (!this.enabled || total === undefined || total < this.minBytes) return;
    const now = Date.now();
    if (now - this.lastDraw < 100 && bytes < total) return;
    this.lastDraw = now;
    const width = 30;
    const frac = Math.min(1, bytes / total);
    const filled = Math.round(frac * width);
    const mb = (n: number) => (n / 1048576).toFixed(0);
    this.stream.write(
      `\r${this.label} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${mb(bytes)}/${mb(total)} MB`,
    );
    this.drawn = true;
  };

  done(): void {
    if (this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }
}
