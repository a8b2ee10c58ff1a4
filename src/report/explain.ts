/**
 * `wirelens explain`: the story of one TCP connection, packet by packet. A ladder diagram (client
 * left, server right), each packet's effect on both endpoints' states with one plain sentence on
 * why and the RFC 9293 rule, the phases labelled, analysis flags with their reason, and a summary.
 */
import { anomalySpec } from '../core/anomaly.js';
import { escapeText } from '../core/escape.js';
import { seq, seqRel } from '../core/seq.js';
import { formatIsoTime } from '../core/time.js';
import { receiverIsn, senderIsn } from '../flow/relseq.js';
import { causeText, type TcpConnection, type Transition } from '../flow/tcp/connection.js';
import type { TcpState } from '../flow/tcp/state.js';
import { endpoint, tcpFlagsText } from './format.js';
import type { Style } from './style.js';
import { displayWidth, padEndDisplay, wrap } from './wrap.js';

export const EXPLAIN_WIDTH = 100;

/** What explain keeps of each packet of the connection (copied: packets do not outlive their chunk). */
export interface ExplainStep {
  readonly n: number;
  readonly ts: number;
  readonly fromOrig: boolean;
  readonly flags: number;
  readonly seq: number;
  readonly ack: number;
  readonly len: number;
  readonly window: number;
  /** Options worth showing (MSS, window scale, SACK, timestamps), already as text. */
  readonly options: string;
  readonly analysis: readonly string[];
  readonly anomalies: readonly { id: string; detail?: string }[];
  /** Extra lines to show under the packet (HTTP messages, from the app layer). */
  readonly notes: readonly string[];
}

export type Phase = 'handshake' | 'data' | 'close' | 'reset';

const PHASE_TITLE: Record<Phase, string> = {
  handshake: 'three-way handshake · 三次握手',
  data: 'data transfer',
  close: 'connection close · 四次挥手',
  reset: 'reset',
};

export interface ExplainModel {
  readonly conn: TcpConnection;
  readonly steps: readonly ExplainStep[];
  /** Zeek-compatible summary, when available. */
  readonly zeek?: { readonly connState: string; readonly history: string };
  /** Descriptions of analysis flags (id → sentence). */
  readonly flagText?: (id: string) => string;
  readonly msl: number;
  /** Address tags (private, public, ...) for the two endpoints. */
  readonly tags?: { readonly orig: string; readonly resp: string };
}

function phaseOf(step: ExplainStep, handshakeEnd: number, closeStart: number, resetAt: number): Phase {
  if (step.n >= resetAt) return 'reset';
  if (step.n >= closeStart) return 'close';
  if (step.n <= handshakeEnd) return 'handshake';
  return 'data';
}

function shortFlags(f: number): string {
  return tcpFlagsText(f).replace(/, /g, ',');
}

function arrow(label: string, toRight: boolean, width: number): string {
  const body = ` ${label} `;
  const room = width - 2 - displayWidth(body);
  if (room < 2) return toRight ? `─${body}▶` : `◀${body}─`;
  const left = Math.floor(room / 2);
  const right = room - left;
  return toRight
    ? `${'─'.repeat(left + 1)}${body}${'─'.repeat(right)}▶`
    : `◀${'─'.repeat(left)}${body}${'─'.repeat(right + 1)}`;
}

const SIDE_NAME = (c: TcpConnection, orig: boolean) =>
  c.origin === 'midstream' ? (orig ? 'side A' : 'side B') : orig ? 'client' : 'server';

export interface ExplainText {
  readonly header: string[];
  /** One block per packet (and per timer event), in order. */
  readonly steps: string[][];
  readonly footer: string[];
}

export function renderExplain(m: ExplainModel, st: Style): ExplainText {
  const c = m.conn;
  const header: string[] = [];
  const steps: string[][] = [];
  let out: string[] = header;
  const W = EXPLAIN_WIDTH;
  const a = endpoint(c.orig.addr, c.orig.port);
  const b = endpoint(c.resp.addr, c.resp.port);
  const an = SIDE_NAME(c, true);
  const bn = SIDE_NAME(c, false);
  const tagA = m.tags ? ` [${m.tags.orig}]` : '';
  const tagB = m.tags ? ` [${m.tags.resp}]` : '';
  out.push(st.heading(`TCP connection #${c.id}: ${an} ${a}${tagA} ⇄ ${bn} ${b}${tagB}`));
  const dur = c.lastTs - c.startTs;
  const parts = [
    `first packet ${c.firstPacket} at ${formatIsoTime(c.startTs)}`,
    `${m.steps.length} packets`,
    `lasted ${dur.toFixed(6)} s`,
  ];
  if (c.irtt !== undefined) parts.push(`initial RTT ${(c.irtt * 1000).toFixed(3)} ms`);
  out.push(st.dim(parts.join(', ')));
  if (c.origin === 'midstream') {
    out.push(
      st.warn(
        `The capture starts in the middle of this connection: no handshake was seen, so "${an}" and "${bn}" are a guess (the server is usually the side with the well-known port).`,
      ),
    );
  } else if (c.origin === 'synack') {
    out.push(st.warn("The capture starts at the server's SYN,ACK: the client's SYN was not captured."));
  }
  out.push('');

  // Layout: number, time, left state, arrow, right state.
  const NUM = 5;
  const TIME = 10;
  const STATE = 12;
  const ARROW = W - NUM - TIME - 2 * STATE - 4;
  const indent = ' '.repeat(NUM + TIME + 2);
  const columns = `${'#'.padStart(NUM)} ${'time'.padStart(TIME - 1)}  ${padEndDisplay(an, STATE)}${' '.repeat(ARROW + 2)}${bn}`;
  out.push(st.bold(columns));
  out.push(
    `${' '.repeat(NUM + TIME + 2)}${st.dim(padEndDisplay(c.orig.initialState, STATE))}${' '.repeat(ARROW + 2)}${st.dim(c.resp.initialState)}`,
  );

  const trs = c.orderedTransitions();
  let ti = 0;
  // Phase boundaries.
  let handshakeEnd = 0;
  for (const t of trs) {
    if (
      t.to === 'ESTABLISHED' &&
      t.packet !== undefined &&
      (t.event === 'recv-ack-of-syn' || t.event === 'recv-synack')
    )
      handshakeEnd = Math.max(handshakeEnd, t.packet);
  }
  // SYNs (and SYN,ACK retransmissions) and the bare ACK answering the last of them belong to the handshake.
  m.steps.forEach((s, i) => {
    if ((s.flags & 0x02) === 0) return;
    handshakeEnd = Math.max(handshakeEnd, s.n);
    const next = m.steps[i + 1];
    if (next && next.fromOrig !== s.fromOrig && (next.flags & 0x17) === 0x10 && next.len === 0)
      handshakeEnd = Math.max(handshakeEnd, next.n);
  });
  const finStep = m.steps.find((s) => (s.flags & 0x01) !== 0);
  const rstStep = m.steps.find((s) => (s.flags & 0x04) !== 0);
  const closeStart = finStep ? finStep.n : Number.POSITIVE_INFINITY;
  const resetAt = rstStep ? rstStep.n : Number.POSITIVE_INFINITY;
  let phase: Phase | undefined;
  let stateA: TcpState = c.orig.initialState;
  let stateB: TcpState = c.resp.initialState;

  const transitionLines = (t: Transition) => {
    const who = t.side === 'orig' ? an : bn;
    const change = t.from === t.to ? `stays ${t.to}` : `${t.from} → ${t.to}`;
    const head = `${who}: ${change}`;
    const lines = wrap(
      `${head} — ${causeText(t)}${t.inferred ? ' (inferred)' : ''}`,
      W - indent.length,
      '  ',
    );
    lines.forEach((l, i) => {
      const txt = i === 0 ? `${st.bold(head)}${l.slice(head.length)}` : l;
      out.push(`${indent}${txt}`);
    });
    out.push(`${indent}  ${st.dim(t.rule)}`);
    if (t.to === 'TIME-WAIT' && t.from !== 'TIME-WAIT') {
      const ep = t.side === 'orig' ? c.orig : c.resp;
      if (ep.timeWaitEnd !== undefined) {
        out.push(
          `${indent}  ${st.phase('close', `holds TIME-WAIT until ${formatIsoTime(ep.timeWaitEnd)} (2×MSL = ${2 * m.msl} s)`)}`,
        );
      }
    }
  };

  const flushTimers = (beforeTs: number) => {
    while (ti < trs.length) {
      const t = trs[ti] as Transition;
      if (t.packet !== undefined || t.ts > beforeTs) break;
      ti++;
      out = [];
      steps.push(out);
      out.push(
        `${''.padStart(NUM)} ${`+${(t.ts - c.startTs).toFixed(6)}`.padStart(TIME - 1)}  ${st.dim('(timer, no packet)')}`,
      );
      if (t.side === 'orig') stateA = t.to;
      else stateB = t.to;
      transitionLines(t);
    }
  };

  /** Each side's ISN for relative numbers (originator, responder), as far as the packets so far tell. */
  const isn: [number | undefined, number | undefined] = [undefined, undefined];
  for (const s of m.steps) {
    flushTimers(s.ts);
    out = [];
    steps.push(out);
    const ph = phaseOf(s, handshakeEnd, closeStart, resetAt);
    if (ph !== phase) {
      phase = ph;
      const title = ` ${PHASE_TITLE[ph]} `;
      out.push(st.phase(ph, `──${title}${'─'.repeat(Math.max(0, W - 2 - displayWidth(title)))}`));
    }
    // Transitions recorded for this packet.
    const mine: Transition[] = [];
    while (ti < trs.length && (trs[ti] as Transition).packet === s.n) mine.push(trs[ti++] as Transition);
    for (const t of mine) {
      if (t.side === 'orig') stateA = t.to;
      else stateB = t.to;
    }
    // Relative numbers as `read` and tshark show them (flow/relseq.ts), packet by packet.
    const si = s.fromOrig ? 0 : 1;
    const senderBase = senderIsn(s.flags, s.seq, isn[si]);
    const receiverBase = receiverIsn(s.flags, s.ack, isn[1 - si]);
    isn[si] = senderBase;
    isn[1 - si] = receiverBase;
    const rs = seqRel(seq(s.seq), seq(senderBase));
    const ra = receiverBase !== undefined ? seqRel(seq(s.ack), seq(receiverBase)) : s.ack;
    let label = `${shortFlags(s.flags)} seq=${rs}`;
    if (s.flags & 0x10) label += ` ack=${ra}`;
    if (s.len > 0) label += ` len=${s.len}`;
    label += ` win=${s.window}`;
    if (s.options) label += ` ${s.options}`;
    const changedA = mine.some((t) => t.side === 'orig' && t.from !== t.to);
    const changedB = mine.some((t) => t.side === 'resp' && t.from !== t.to);
    const left = padEndDisplay(stateA, STATE);
    const right = stateB;
    const arr = arrow(label, s.fromOrig, ARROW);
    const time = (s.ts - c.startTs).toFixed(6).padStart(TIME - 1);
    out.push(
      `${String(s.n).padStart(NUM)} ${time}  ${changedA ? st.bold(left) : st.dim(left)} ${st.phase(ph, arr)} ${changedB ? st.bold(right) : st.dim(right)}`,
    );
    for (const t of mine) transitionLines(t);
    for (const f of s.analysis) {
      const text = m.flagText ? m.flagText(f) : f;
      for (const l of wrap(`⚠ ${text}`, W - indent.length, '  ')) out.push(`${indent}${st.warn(l)}`);
    }
    for (const an2 of s.anomalies) {
      const spec = anomalySpec(an2.id);
      const text = `⚠ ${an2.id}${an2.detail ? ` (${escapeText(an2.detail)})` : ''}${spec ? `: ${spec.summary}` : ''}`;
      for (const l of wrap(text, W - indent.length, '  ')) out.push(`${indent}${st.warn(l)}`);
    }
    for (const note of s.notes)
      for (const l of wrap(note, W - indent.length, '  ')) out.push(`${indent}${l}`);
  }
  flushTimers(Number.POSITIVE_INFINITY);
  // Transitions not tied to a captured step (should not happen, but never hide one).
  if (ti < trs.length) {
    out = [];
    steps.push(out);
    while (ti < trs.length) transitionLines(trs[ti++] as Transition);
  }
  const footer = ['', ...renderSummary(m, st)];
  return { header, steps, footer };
}

function renderSummary(m: ExplainModel, st: Style): string[] {
  const c = m.conn;
  const out: string[] = [st.heading('Summary')];
  const an = SIDE_NAME(c, true);
  const bn = SIDE_NAME(c, false);
  const line = (s: string) => {
    for (const l of wrap(s, EXPLAIN_WIDTH - 2, '    ')) out.push(`  ${l}`);
  };
  const path = (side: 'orig' | 'resp') => {
    const states = [c.endpoint(side).initialState as string];
    for (const t of c.orderedTransitions()) if (t.side === side && t.to !== t.from) states.push(t.to);
    return states.join(' → ');
  };
  const endState = (ep: TcpConnection['orig'], name: string) => {
    let s = `${name} ${endpoint(ep.addr, ep.port)}: ${path(ep === c.orig ? 'orig' : 'resp')}`;
    if (ep.state === 'TIME-WAIT' && ep.timeWaitEnd !== undefined) {
      s += `, until ${formatIsoTime(ep.timeWaitEnd)} (after the capture ended)`;
    }
    return s;
  };
  line(endState(c.orig, an));
  line(endState(c.resp, bn));
  const closer =
    c.closer === 'both'
      ? 'both sides closed at once (their FINs crossed): both go through CLOSING and both hold TIME-WAIT'
      : c.closer === 'orig'
        ? `the ${an} closed first (active close)`
        : c.closer === 'resp'
          ? `the ${bn} closed first (active close)`
          : 'nobody closed the connection in the capture';
  line(`Who closed: ${closer}.`);
  const tw = [c.orig, c.resp]
    .map((ep, i) => ({ ep, name: i === 0 ? an : bn }))
    .filter(({ ep }) => ep.timeWaitStart !== undefined);
  for (const { ep, name } of tw) {
    const start = ep.timeWaitStart as number;
    const end = ep.timeWaitEnd as number;
    line(
      `TIME-WAIT: the ${name} entered it at +${(start - c.startTs).toFixed(6)} s and keeps the 4-tuple until +${(end - c.startTs).toFixed(6)} s (2×MSL = ${2 * m.msl} s; Linux's TCP_TIMEWAIT_LEN is 60 s).`,
    );
  }
  if (c.timeWaitReuse) {
    const r = c.timeWaitReuse;
    line(
      `This connection reopened the 4-tuple of connection #${r.previous} while its ${r.holder === 'orig' ? 'client' : 'server'} was still in TIME-WAIT, ${r.beforeDeadline.toFixed(3)} s before the deadline: ${r.legitimate ? 'legitimate' : 'NOT safe'} — ${r.reason}.`,
    );
  }
  line(
    `Data: ${an} sent ${c.orig.seqBytes()} bytes in ${c.orig.packets} packets; ${bn} sent ${c.resp.seqBytes()} bytes in ${c.resp.packets} packets.`,
  );
  const neg: string[] = [];
  if (c.orig.mss !== undefined || c.resp.mss !== undefined)
    neg.push(`MSS ${c.orig.mss ?? '-'}/${c.resp.mss ?? '-'}`);
  if (c.orig.wscale >= 0 && c.resp.wscale >= 0) neg.push(`window scale ${c.orig.wscale}/${c.resp.wscale}`);
  else if (c.origin === 'syn') neg.push('no window scaling');
  if (c.orig.sackOk && c.resp.sackOk) neg.push('SACK');
  if (c.orig.timestamps && c.resp.timestamps) neg.push('timestamps');
  if (neg.length > 0) line(`Negotiated: ${neg.join(', ')}.`);
  if (m.zeek) line(`Zeek-style summary: conn_state ${m.zeek.connState}, history ${m.zeek.history}.`);
  if (c.flagCounts.size > 0) {
    line(`Analysis flags: ${[...c.flagCounts].map(([k, v]) => `${k} ×${v}`).join(', ')}.`);
  }
  return out;
}
