/**
 * The passive observer's transition function. For each segment, in this order:
 *   1. the sender's *held-back receipt* is resolved: a SYN or FIN it was sent earlier counts as
 *      received once its own packet acknowledges it (this is how we tell a simultaneous close from a
 *      normal one: a FIN that does not acknowledge the peer's FIN crossed it on the wire);
 *   2. what *sending* this segment does to the sender (RFC 9293 user calls and §3.10.7 replies);
 *   3. what *receiving* it does to the other side (RFC 9293 §3.10.7, "segment arrives"): ACKs and
 *      RSTs take effect at once, SYNs and FINs are held back as in step 1.
 * One arm per state, each citing its rule (see state.ts). Every change is logged on the connection.
 */
import { anomaly } from '../../core/anomaly.js';
import { type Seq, seqAdd, seqDiff, seqGe, seqGt } from '../../core/seq.js';
import { FA } from '../anomalies.js';
import type { Side, TcpConnection } from './connection.js';
import type { Pending, TcpEndpoint } from './endpoint.js';
import { addSegmentAnomaly, type Segment } from './segment.js';

export interface MachineOptions {
  /** Maximum segment lifetime in seconds; TIME-WAIT lasts 2×MSL. */
  readonly msl: number;
}

const other = (s: Side): Side => (s === 'orig' ? 'resp' : 'orig');
const who = (c: TcpConnection, s: Side) =>
  s === 'orig'
    ? `${c.origin === 'midstream' ? 'side A' : 'client'}`
    : `${c.origin === 'midstream' ? 'side B' : 'server'}`;

function enterTimeWait(c: TcpConnection, side: Side, ts: number, opts: MachineOptions): void {
  const ep = c.endpoint(side);
  ep.timeWaitEnd = ts + 2 * opts.msl;
}

/** Options the endpoint announced in its SYN. */
function learnSynOptions(ep: TcpEndpoint, seg: Segment): void {
  for (const o of seg.tcp.options) {
    if (o.kind === 'mss') ep.mss = o.value;
    else if (o.kind === 'wscale') ep.wscale = Math.min(o.shift, 14);
    else if (o.kind === 'sack-permitted') ep.sackOk = true;
    else if (o.kind === 'timestamp') ep.timestamps = true;
  }
}

function lastTsval(seg: Segment): number | undefined {
  for (const o of seg.tcp.options) if (o.kind === 'timestamp') return o.tsval;
  return undefined;
}

/** Apply a receipt of the peer's SYN or FIN to `side`. */
function applyReceipt(
  c: TcpConnection,
  side: Side,
  kind: 'syn' | 'fin',
  ts: number,
  packet: number,
  crossed: boolean,
  opts: MachineOptions,
  /** The packet whose SYN/FIN is received (when the receipt is recorded at a later packet). */
  of: number = packet,
): void {
  const ep = c.endpoint(side);
  if (kind === 'syn') {
    if (ep.state === 'LISTEN') {
      c.move(
        side,
        'SYN-RECEIVED',
        'recv-syn',
        'received the SYN (packet {v}); a listening socket answers it with SYN,ACK',
        ts,
        packet,
        true,
        of,
      );
    } else if (ep.state === 'SYN-SENT') {
      c.move(
        side,
        'SYN-RECEIVED',
        'recv-syn-crossed',
        "received the peer's SYN (packet {v}) while its own SYN was unanswered: simultaneous open",
        ts,
        packet,
        true,
        of,
      );
    }
    return;
  }
  switch (ep.state) {
    case 'ESTABLISHED':
    case 'SYN-RECEIVED':
      c.move(
        side,
        'CLOSE-WAIT',
        'recv-fin',
        "received the peer's FIN (packet {v}): the peer will send no more data; waits for its own application to close",
        ts,
        packet,
        !crossed,
        of,
      );
      break;
    case 'FIN-WAIT-1':
      c.move(
        side,
        'CLOSING',
        'recv-fin-crossed',
        "received the peer's FIN (packet {v}) before its own FIN was acknowledged: both sides are closing at once (simultaneous close)",
        ts,
        packet,
        !crossed,
        of,
      );
      break;
    case 'FIN-WAIT-2':
      c.move(
        side,
        'TIME-WAIT',
        'recv-fin',
        "received the peer's FIN (packet {v}) after its own FIN was acknowledged: waits 2×MSL before forgetting the connection",
        ts,
        packet,
        !crossed,
        of,
      );
      enterTimeWait(c, side, ts, opts);
      break;
    default:
      break;
  }
}

/** Apply a held-back ACK of the handshake: the server did process it. */
function applyAck(c: TcpConnection, side: Side, p: Pending): void {
  const ep = c.endpoint(side);
  if (ep.state !== 'SYN-RECEIVED') return;
  c.move(
    side,
    'ESTABLISHED',
    'recv-ack-of-syn',
    'received the ACK of its SYN,ACK (packet {v}): the three-way handshake is complete',
    p.ts,
    p.packet,
    true,
    p.packet,
  );
}

/**
 * Step 1: the sender's held-back receipts, judged by what it sends now. Returns receipts to apply
 * after its own send effects (a FIN or SYN that crossed its own).
 */
function resolvePending(
  c: TcpConnection,
  side: Side,
  seg: Segment,
  opts: MachineOptions,
): (() => void) | undefined {
  const ep = c.endpoint(side);
  if (ep.pending.length === 0) return undefined;
  let after: (() => void) | undefined;
  const list = ep.takePending();
  for (let i = 0; i < list.length; i++) {
    const p = list[i] as Pending;
    if (seg.rst) {
      // A bare RST (no ACK bit) answers a segment the server could not take: it never processed the
      // handshake's ACK (accept-queue overflow with tcp_abort_on_overflow=1 looks like this). An
      // established socket that aborts sends RST,ACK: then the ACK had been taken.
      if (p.kind === 'ack' && seg.hasAck) applyAck(c, side, p);
      // A RST,ACK that acknowledges the peer's FIN shows the FIN was received before the abort.
      else if (p.kind === 'fin' && seg.hasAck && seqGe(seg.ack, p.end))
        applyReceipt(c, side, p.kind, p.ts, p.packet, false, opts);
      continue;
    }
    if (p.kind === 'ack') {
      if (seg.syn && seg.hasAck && ep.synAcks > 0) {
        // A retransmitted SYN,ACK after the client's ACK: that ACK never reached the state machine.
        c.noteAckDropped(p.packet);
        c.note(
          side,
          'ack-dropped',
          "retransmits its SYN,ACK although the client's ACK (packet {v}) was on the wire: it dropped that ACK (a full accept queue does this)",
          seg.ts,
          seg.n,
          false,
          p.packet,
        );
      } else applyAck(c, side, p);
      continue;
    }
    if (seg.hasAck && seqGe(seg.ack, p.end)) {
      applyReceipt(c, side, p.kind, p.ts, p.packet, false, opts);
    } else if ((p.kind === 'fin' && seg.fin) || (p.kind === 'syn' && seg.syn && !seg.hasAck)) {
      // Its own FIN (SYN) does not acknowledge the peer's: the two crossed on the wire.
      const kind = p.kind;
      after = () => applyReceipt(c, side, kind, seg.ts, seg.n, true, opts, p.packet);
    } else {
      ep.holdBack(p);
    }
  }
  return after;
}

/** Step 2: what sending `seg` does to its sender. */
function sendEffects(c: TcpConnection, side: Side, seg: Segment): void {
  const ep = c.endpoint(side);
  const peer = c.peer(side);
  const n = seg.n;
  const ts = seg.ts;
  if (seg.rst) {
    ep.rsts++;
    if (
      side === 'resp' &&
      ep.state === 'LISTEN' &&
      ep.syns === 0 &&
      peer.state === 'SYN-SENT' &&
      peer.sndNxt !== undefined &&
      seg.hasAck &&
      seg.ack === peer.sndNxt
    ) {
      // Nobody listens on that port: the kernel answers the SYN with RST,ACK (connection refused).
      ep.initialState = 'CLOSED';
      ep.state = 'CLOSED';
      ep.dropPending();
      c.note(
        side,
        'refuse',
        'no socket is listening on port {v}: the SYN is answered with RST,ACK ("connection refused")',
        ts,
        n,
        false,
        ep.port,
      );
      c.closer ??= side;
      return;
    }
    if (ep.state !== 'CLOSED') {
      c.move(
        side,
        'CLOSED',
        'send-rst',
        `sent RST: aborts the connection at once, unsent and unread data is discarded`,
        ts,
        n,
      );
      c.closer ??= side;
    }
    return;
  }
  if (seg.syn) {
    ep.syns++;
    if (seg.hasAck) ep.synAcks++;
    if (ep.isn === undefined || ep.state === 'CLOSED' || ep.state === 'LISTEN') {
      ep.isn = seg.seq;
      learnSynOptions(ep, seg);
    }
    if (!seg.hasAck) {
      if (ep.state === 'CLOSED') {
        c.move(
          side,
          'SYN-SENT',
          'send-syn',
          'sent SYN with initial sequence number {v}: asks to open a connection',
          ts,
          n,
          false,
          seg.seq,
        );
        c.synTs ??= ts;
      } else if (ep.state === 'LISTEN') {
        // The "server" opened actively too: it was never a listener for this connection.
        ep.initialState = 'CLOSED';
        ep.state = 'CLOSED';
        c.move(
          side,
          'SYN-SENT',
          'send-syn',
          'sent its own SYN (ISN {v}) towards the peer: simultaneous open',
          ts,
          n,
          false,
          seg.seq,
        );
      }
    } else {
      if (ep.state === 'LISTEN') {
        // The SYN it answers was not captured.
        c.move(
          side,
          'SYN-RECEIVED',
          'recv-syn',
          `its SYN,ACK shows it received a SYN the capture missed`,
          ts,
          n,
          true,
        );
      }
      c.synAckTs ??= ts;
    }
  }
  if (seg.fin) {
    ep.fins++;
    if (ep.finSeq === undefined) ep.finSeq = seqAdd(seg.seq, seg.len + (seg.syn ? 1 : 0));
    switch (ep.state) {
      case 'ESTABLISHED':
      case 'SYN-RECEIVED':
        c.move(
          side,
          'FIN-WAIT-1',
          'send-fin',
          `sent FIN: its application closed the connection (active close); it will send no more data`,
          ts,
          n,
        );
        if (c.closer === undefined) c.closer = side;
        else if (c.closer === other(side) && peer.state !== 'LAST-ACK') c.closer = 'both';
        break;
      case 'CLOSE-WAIT':
        c.move(
          side,
          'LAST-ACK',
          'send-fin',
          `sent FIN after the peer's FIN (passive close): waits for the last ACK`,
          ts,
          n,
        );
        break;
      default:
        break;
    }
  }
}

/** Is `s` inside the receiver's window [ackSent, ackSent + window)? Unknown window: accept. */
function inReceiveWindow(rcv: TcpEndpoint, sender: TcpEndpoint, s: Seq): boolean {
  if (rcv.ackSent === undefined || rcv.window === undefined) return true;
  // Window scaling is in force only when both SYNs carried the option (RFC 7323 §2.2).
  const shift = Math.max(0, rcv.wscale >= 0 && sender.wscale >= 0 ? rcv.wscale : 0);
  const wnd = Math.max(1, rcv.window * 2 ** shift);
  const d = seqDiff(s, rcv.ackSent);
  // Allow one byte before (a RST at SND.NXT-1 after a lost ACK is common and accepted by stacks).
  return d >= -1 && d < wnd;
}

/** Step 3: what receiving `seg` does to the other side. */
function recvEffects(c: TcpConnection, side: Side, seg: Segment, opts: MachineOptions): void {
  const ep = c.endpoint(side);
  const n = seg.n;
  const ts = seg.ts;
  const from = who(c, other(side));
  if (seg.rst) {
    ep.dropPending();
    switch (ep.state) {
      case 'CLOSED':
      case 'LISTEN':
        return;
      case 'SYN-SENT':
        if (seg.hasAck && ep.sndNxt !== undefined && seg.ack === ep.sndNxt) {
          c.move(
            side,
            'CLOSED',
            'recv-rst',
            `received RST,ACK for its SYN: the connection was refused`,
            ts,
            n,
          );
          c.endReason ??= 'reset';
        } else {
          addSegmentAnomaly(
            seg,
            anomaly(FA['tcp.rst-out-of-window'], 'tcp', -1, 'RST does not acknowledge the SYN'),
          );
        }
        return;
      default:
        if (!inReceiveWindow(ep, c.peer(side), seg.seq)) {
          addSegmentAnomaly(
            seg,
            anomaly(FA['tcp.rst-out-of-window'], 'tcp', -1, `seq ${seg.seq} outside the receive window`),
          );
          return;
        }
        c.move(
          side,
          'CLOSED',
          'recv-rst',
          ep.state === 'TIME-WAIT'
            ? `received RST in TIME-WAIT: Linux ends TIME-WAIT early ("TIME-WAIT assassination", RFC 1337)`
            : `received RST from the ${from}: the connection is aborted`,
          ts,
          n,
        );
        c.endReason ??= 'reset';
        return;
    }
  }
  // ACK processing (RFC 9293 §3.10.7.4, fifth step) happens before FIN processing (eighth step).
  if (seg.hasAck) {
    if (seg.syn && ep.state === 'SYN-SENT' && ep.sndNxt !== undefined && seqGe(seg.ack, ep.sndNxt)) {
      ep.synAcked = true;
      c.move(
        side,
        'ESTABLISHED',
        'recv-synack',
        `received SYN,ACK acknowledging its SYN: the connection is open for it`,
        ts,
        n,
      );
    } else if (ep.state === 'SYN-RECEIVED' && ep.isn !== undefined && seqGt(seg.ack, ep.isn)) {
      // Held back until the server's next packet shows it took the ACK (see resolvePending).
      ep.synAcked = true;
      if (!ep.pending.some((p) => p.kind === 'ack'))
        ep.holdBack({ kind: 'ack', packet: n, ts, end: seg.ack });
      if (side === 'resp') c.ackTs ??= ts;
    } else if (ep.isn !== undefined && seqGt(seg.ack, ep.isn)) {
      ep.synAcked = true;
    }
    if (ep.finSeq !== undefined && !ep.finAcked && ep.finCoveredBy(seg.ack)) {
      ep.finAcked = true;
      switch (ep.state) {
        case 'FIN-WAIT-1':
          c.move(
            side,
            'FIN-WAIT-2',
            'recv-ack-of-fin',
            `its FIN was acknowledged: half-closed, waits for the peer's FIN`,
            ts,
            n,
          );
          break;
        case 'CLOSING':
          c.move(
            side,
            'TIME-WAIT',
            'recv-ack-of-fin',
            `its FIN was acknowledged after the crossed FINs: waits 2×MSL`,
            ts,
            n,
          );
          enterTimeWait(c, side, ts, opts);
          break;
        case 'LAST-ACK':
          c.move(
            side,
            'CLOSED',
            'recv-ack-of-fin',
            `received the last ACK: the connection is closed and forgotten (no TIME-WAIT for the passive closer)`,
            ts,
            n,
          );
          c.endReason ??= 'closed';
          break;
        default:
          break;
      }
    }
  }
  if (seg.syn && !seg.hasAck && !ep.pending.some((p) => p.kind === 'syn')) {
    ep.holdBack({ kind: 'syn', packet: n, ts, end: seqAdd(seg.seq, 1) });
  }
  if (seg.fin && !ep.pending.some((p) => p.kind === 'fin')) {
    ep.holdBack({ kind: 'fin', packet: n, ts, end: seqAdd(seg.seq, seg.seqLen) });
  }
}

/** Process one segment of a connection. */
export function applySegment(c: TcpConnection, seg: Segment, opts: MachineOptions): void {
  const side: Side = seg.fromOrig ? 'orig' : 'resp';
  const ep = c.endpoint(side);
  ep.packets++;
  ep.payloadBytes += seg.len;
  const ip = seg.packet.ip;
  if (ip)
    ep.ipBytes += ip.kind === 'ipv4' ? ip.totalLength || seg.packet.frame.origlen : ip.payloadLength + 40;
  c.lastTs = seg.ts;
  c.lastPacket = seg.n;
  const after = resolvePending(c, side, seg, opts);
  sendEffects(c, side, seg);
  after?.();
  // Record what it sent (after state changes: a SYN sets the ISN first).
  if (ep.isn === undefined) ep.isn = seg.seq;
  ep.noteSent(seg.seq, seg.seqLen, seg.hasAck ? seg.ack : undefined);
  ep.window = seg.tcp.window;
  const tv = lastTsval(seg);
  if (tv !== undefined) {
    ep.lastTsval = tv;
    if (side === 'resp') {
      if (seg.syn && seg.hasAck) c.synAckTsval ??= tv;
      else if (c.synAckTsval !== undefined && c.nextRespTsval === undefined) {
        c.nextRespTsval = tv;
        c.nextRespTs = seg.ts;
      }
    }
  }
  recvEffects(c, other(side), seg, opts);
}

/**
 * When a connection is retired: TIME-WAIT that ran out by now ends. A FIN or SYN still held back
 * (the peer never answered it) stays unapplied: the capture does not show that it arrived.
 */
export function settle(c: TcpConnection, now: number, opts: MachineOptions): void {
  for (const side of ['orig', 'resp'] as const) {
    const ep = c.endpoint(side);
    // An ACK of the handshake that nothing contradicted: the server took it — unless the server
    // already showed it drops these ACKs (it retransmitted its SYN,ACK after an identical one).
    const list = ep.takePending();
    for (let i = 0; i < list.length; i++) {
      const p = list[i] as Pending;
      if (p.kind === 'ack' && c.ackDropped.length === 0) applyAck(c, side, p);
      else if (p.kind !== 'ack') ep.holdBack(p);
    }
    if (side === 'resp' && ep.state === 'LISTEN' && c.origin === 'syn') {
      c.move(
        side,
        'CLOSED',
        'no-connection',
        'never answered the SYN: no connection was created for this 4-tuple (SYNs dropped by a full listener, filtered, or the host is down)',
        c.lastTs,
        undefined,
        true,
      );
    }
    if (ep.state === 'TIME-WAIT' && ep.timeWaitEnd !== undefined && ep.timeWaitEnd <= now) {
      c.move(
        side,
        'CLOSED',
        'timewait-expired',
        '2×MSL ({v} s) after entering TIME-WAIT, the connection is forgotten',
        ep.timeWaitEnd,
        undefined,
        false,
        2 * opts.msl,
      );
    }
  }
}
