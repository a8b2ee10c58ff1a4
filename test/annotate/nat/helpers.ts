/** Feed a capture (optionally rewritten frame by frame) through the session and the NAT collectors. */
import { readFileSync } from 'node:fs';
import {
  type CapturedFlows,
  DEFAULT_NAT_LIMITS,
  NatFlowCollector,
  type NatLimits,
} from '../../../src/annotate/nat.js';
import { NatHintsCollector, type NatHintsSummary, natHintsSummary } from '../../../src/annotate/nat-hints.js';
import { readCaptureBuffer } from '../../../src/capture/source.js';
import type { Frame } from '../../../src/capture/types.js';
import { decodeFrame } from '../../../src/decode/pipeline.js';
import { Session } from '../../../src/flow/session.js';

export type FrameRewrite = (f: Frame) => Frame | undefined;

export function frames(file: string): Frame[] {
  const out: Frame[] = [];
  readCaptureBuffer(readFileSync(file), {
    frame: (f) => out.push({ ...f, data: f.data.slice() }),
    problem: () => {},
  });
  return out;
}

export function collectFrames(fs: readonly Frame[], limits: NatLimits = DEFAULT_NAT_LIMITS): CapturedFlows {
  const col = new NatFlowCollector(limits);
  const s = new Session(undefined, { tcpEnd: (c) => col.onTcpEnd(c), udpEnd: (f) => col.onUdpEnd(f) });
  for (const f of fs) {
    const p = decodeFrame(f);
    col.onPacket(p, s.process(p));
  }
  s.finish();
  return col.finish();
}

export function collect(file: string, rewrite?: FrameRewrite, limits?: NatLimits): CapturedFlows {
  const fs = frames(file);
  const out: Frame[] = [];
  for (const f of fs) {
    const g = rewrite ? rewrite(f) : f;
    if (g) out.push(g);
  }
  return collectFrames(out, limits);
}

export function hintsOf(file: string): NatHintsSummary {
  const h = new NatHintsCollector();
  readCaptureBuffer(readFileSync(file), { frame: (f) => h.onPacket(decodeFrame(f)), problem: () => {} });
  return natHintsSummary(h);
}

/** The frame with its timestamp moved by `shift` seconds (whole and fractional parts kept exact). */
export function shifted(f: Frame, shift: number): Frame {
  const whole = Math.floor(shift);
  let nsec = f.tsNsec + Math.round((shift - whole) * 1e9);
  let sec = f.tsSec + whole;
  if (nsec >= 1e9) {
    nsec -= 1e9;
    sec += 1;
  }
  return { ...f, tsSec: sec, tsNsec: nsec, ts: sec + nsec / 1e9 };
}

export function u32(d: Uint8Array, o: number): number {
  return (
    (((d[o] as number) << 24) |
      ((d[o + 1] as number) << 16) |
      ((d[o + 2] as number) << 8) |
      (d[o + 3] as number)) >>>
    0
  );
}

export function setU32(d: Uint8Array, o: number, v: number): void {
  d[o] = (v >>> 24) & 0xff;
  d[o + 1] = (v >>> 16) & 0xff;
  d[o + 2] = (v >>> 8) & 0xff;
  d[o + 3] = v & 0xff;
}
