/** `wirelens read FILE [FILTER...]`: decode and print packets. */
import { readCapture } from '../capture/source.js';
import type { CaptureProblem, Frame } from '../capture/types.js';
import { type CaptureWriter, createCaptureWriter, formatFromPath } from '../capture/writer.js';
import { ExitCode, type ExitCodeValue } from '../core/errors.js';
import { decodeFrame } from '../decode/pipeline.js';
import type { Packet, PacketStatus } from '../decode/types.js';
import { compileFilter } from '../filter/index.js';
import { RelativeSeqTracker } from '../flow/relseq.js';
import { TimeFormatter, type TimeMode } from '../report/format.js';
import { packetHex } from '../report/packet-hex.js';
import { writePacketJson } from '../report/packet-json.js';
import { packetLine } from '../report/packet-line.js';
import { packetTree } from '../report/packet-tree.js';
import type { Style } from '../report/style.js';
import { TagCache } from '../report/tag-cache.js';
import { parseLocalNets } from './addr.js';
import { type Diagnostics, problemText } from './diagnostics.js';
import { LineWriter } from './output.js';

export interface ReadOptions {
  readonly file: string;
  readonly filter: string;
  readonly count: number | undefined;
  readonly time: TimeMode;
  readonly absoluteSeq: boolean;
  readonly verbose: boolean;
  readonly hex: boolean;
  readonly json: boolean;
  readonly write: string | undefined;
  readonly format: 'pcap' | 'pcapng' | undefined;
  /** Print packets even when writing with -w. */
  readonly print: boolean;
  /** Show address classes after addresses. */
  readonly tags: boolean;
  readonly localNets: readonly string[];
}

export interface ReadSummary {
  readonly frames: number;
  readonly shown: number;
  readonly byStatus: Record<PacketStatus, number>;
  readonly problems: readonly CaptureProblem[];
}

export async function runRead(opts: ReadOptions, style: Style, diag: Diagnostics): Promise<ExitCodeValue> {
  const filter = compileFilter(opts.filter);
  const out = new LineWriter();
  const abort = new AbortController();
  out.onClosed = () => abort.abort();
  const times = new TimeFormatter(opts.time);
  const rel = opts.absoluteSeq ? undefined : new RelativeSeqTracker();
  const byStatus: Record<PacketStatus, number> = { decoded: 0, truncated: 0, malformed: 0, unsupported: 0 };
  let writer: CaptureWriter | undefined;
  if (opts.write) writer = createCaptureWriter(opts.write, opts.format ?? formatFromPath(opts.write));
  const print = !writer || opts.print;
  let shown = 0;
  // Width of the packet-number column: at least 5, widened to the digits of the largest number
  // shown. Compared with the next power of ten rather than formatted per packet.
  let numberWidth = 5;
  let widerFrom = 10 ** numberWidth;
  const addrTag = opts.tags ? new TagCache(parseLocalNets(opts.localNets)).tag : undefined;

  const onPacket = (frame: Frame, p: Packet) => {
    const r = rel && p.tcp ? rel.relative(p) : undefined;
    times.observe(frame.tsSec, frame.tsNsec);
    if (!filter.matches(p)) return;
    shown++;
    if (writer) writer.write(frame);
    if (print) {
      if (frame.index >= widerFrom) {
        numberWidth = String(frame.index).length;
        widerFrom = 10 ** numberWidth;
      }
      if (opts.json) {
        writePacketJson(out.text, p, r);
        out.endLine();
      } else {
        const time = times.format(frame.tsSec, frame.tsNsec);
        if (opts.verbose || opts.hex) {
          out.line(packetLine(p, { style, time, rel: r, numberWidth, addrTag }));
          if (opts.verbose) out.line(packetTree(p, style));
          if (opts.hex) out.line(packetHex(p, style));
          out.line('');
        } else {
          out.line(packetLine(p, { style, time, rel: r, numberWidth, addrTag }));
        }
      }
    }
    if (opts.count !== undefined && shown >= opts.count) abort.abort();
  };

  const result = await readCapture(
    opts.file,
    {
      frame(f) {
        const p = decodeFrame(f);
        byStatus[p.status]++;
        onPacket(f, p);
      },
      problem(pr) {
        out.flush();
        diag.warn(problemText(opts.file, pr));
      },
    },
    { signal: abort.signal, throttle: () => out.backpressure() },
  );
  await out.end();
  if (writer) {
    await writer.close();
    diag.info(`wrote ${shown} packet${shown === 1 ? '' : 's'} to ${opts.write}`);
  }
  const bad = byStatus.malformed + byStatus.truncated + byStatus.unsupported;
  if (bad > 0) {
    const parts = (['malformed', 'truncated', 'unsupported'] as const)
      .filter((k) => byStatus[k] > 0)
      .map((k) => `${byStatus[k]} ${k}`);
    diag.info(`${result.frames} packets read: ${byStatus.decoded} decoded, ${parts.join(', ')}`);
  }
  return result.problems.some((p) => p.fatal) ? ExitCode.damaged : ExitCode.ok;
}
