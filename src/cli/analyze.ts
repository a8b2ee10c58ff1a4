/** The loop every analysis command shares: read, decode, filter, track flows, report file problems. */
import { readCapture } from '../capture/source.js';
import type { CaptureResult } from '../capture/types.js';
import { ExitCode, type ExitCodeValue } from '../core/errors.js';
import { decodeFrame } from '../decode/pipeline.js';
import type { Packet, PacketStatus } from '../decode/types.js';
import { compileFilter } from '../filter/index.js';
import { type PacketFlowResult, Session, type SessionEvents, type SessionOptions } from '../flow/session.js';
import { type Diagnostics, problemText } from './diagnostics.js';
import type { LineWriter } from './output.js';

export interface AnalyzeRun {
  readonly result: CaptureResult;
  readonly session: Session;
  readonly byStatus: Record<PacketStatus, number>;
  /** Packets that matched the filter (all, without one). */
  readonly matched: number;
  readonly exitCode: ExitCodeValue;
}

export interface AnalyzeInput {
  readonly file: string;
  readonly filter: string;
  readonly session: SessionOptions;
  readonly events?: SessionEvents;
  /** Called for every packet that matched the filter, after flow tracking. */
  readonly onPacket?: (p: Packet, flow: PacketFlowResult) => void;
  readonly signal?: AbortSignal;
  /** Called as the file is read (bytes read, file size if known). */
  readonly onProgress?: (bytesRead: number, totalBytes: number | undefined) => void;
  /** Output that streams while reading: reading waits while its reader is behind. */
  readonly out?: LineWriter;
}

export async function analyzeFile(input: AnalyzeInput, diag: Diagnostics): Promise<AnalyzeRun> {
  const filter = compileFilter(input.filter);
  const session = new Session(input.session, input.events ?? {});
  const byStatus: Record<PacketStatus, number> = { decoded: 0, truncated: 0, malformed: 0, unsupported: 0 };
  let matched = 0;
  const onPacket = input.onPacket;
  const result: CaptureResult = await readCapture(
    input.file,
    {
      frame(f) {
        const p = decodeFrame(f);
        byStatus[p.status]++;
        if (!filter.matches(p)) return;
        matched++;
        const flow = session.process(p);
        onPacket?.(p, flow);
      },
      problem(pr) {
        diag.warn(problemText(input.file, pr));
      },
    },
    {
      ...(input.signal ? { signal: input.signal } : {}),
      ...(input.onProgress ? { onProgress: input.onProgress } : {}),
      ...(input.out ? { throttle: () => input.out?.backpressure() } : {}),
    },
  );
  session.finish();
  return {
    result,
    session,
    byStatus,
    matched,
    exitCode: result.problems.some((p) => p.fatal) ? ExitCode.damaged : ExitCode.ok,
  };
}
