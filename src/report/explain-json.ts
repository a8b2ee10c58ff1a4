/** `explain --json`: the same story as data. */
import { roundMicros } from '../core/time.js';
import { causeText } from '../flow/tcp/connection.js';
import type { ExplainModel } from './explain.js';
import { tcpFlagsText } from './format.js';

export function explainJson(m: ExplainModel): unknown {
  const c = m.conn;
  const ep = (e: typeof c.orig, tag: string | undefined) => ({
    addr: e.addr,
    port: e.port,
    tag,
    initial_state: e.initialState,
    final_state: e.state,
    isn: e.isn,
    mss: e.mss,
    wscale: e.wscale >= 0 ? e.wscale : undefined,
    sack_permitted: e.sackOk,
    timestamps: e.timestamps,
    packets: e.packets,
    bytes: e.seqBytes(),
    time_wait: e.timeWaitStart !== undefined ? { start: e.timeWaitStart, end: e.timeWaitEnd } : undefined,
  });
  return {
    id: c.id,
    origin: c.origin,
    orig: ep(c.orig, m.tags?.orig),
    resp: ep(c.resp, m.tags?.resp),
    start: c.startTs,
    duration: roundMicros(c.lastTs - c.startTs),
    irtt: c.irtt === undefined ? undefined : roundMicros(c.irtt),
    closer: c.closer,
    end_reason: c.endReason,
    msl: m.msl,
    conn_state: m.zeek?.connState,
    history: m.zeek?.history,
    time_wait_reuse: c.timeWaitReuse,
    steps: m.steps.map((s) => ({
      n: s.n,
      ts: s.ts,
      dir: s.fromOrig ? 'orig->resp' : 'resp->orig',
      flags: tcpFlagsText(s.flags),
      seq: s.seq,
      ack: s.ack,
      len: s.len,
      win: s.window,
      analysis: s.analysis.length > 0 ? s.analysis : undefined,
      anomalies: s.anomalies.length > 0 ? s.anomalies : undefined,
    })),
    transitions: c.orderedTransitions().map((t) => ({
      ts: t.ts,
      packet: t.packet,
      side: t.side,
      from: t.from,
      to: t.to,
      event: t.event,
      cause: causeText(t),
      rule: t.rule,
      inferred: t.inferred || undefined,
    })),
    flags: Object.fromEntries(c.flagCounts),
  };
}
