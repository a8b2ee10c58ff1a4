/**
 * RFC 9293 connection states, the events that move an endpoint between them, and the rule of the
 * RFC behind each move (section numbers of RFC 9293, "Transmission Control Protocol (TCP)", 2022).
 */

export type TcpState =
  | 'CLOSED'
  | 'LISTEN'
  | 'SYN-SENT'
  | 'SYN-RECEIVED'
  | 'ESTABLISHED'
  | 'FIN-WAIT-1'
  | 'FIN-WAIT-2'
  | 'CLOSE-WAIT'
  | 'CLOSING'
  | 'LAST-ACK'
  | 'TIME-WAIT';

export const TCP_STATES: readonly TcpState[] = [
  'CLOSED',
  'LISTEN',
  'SYN-SENT',
  'SYN-RECEIVED',
  'ESTABLISHED',
  'FIN-WAIT-1',
  'FIN-WAIT-2',
  'CLOSE-WAIT',
  'CLOSING',
  'LAST-ACK',
  'TIME-WAIT',
];

/** Stable identifiers of what moved an endpoint (tests assert these, not the English). */
export type TransitionEvent =
  | 'send-syn'
  | 'recv-syn'
  | 'recv-syn-crossed'
  | 'recv-synack'
  | 'recv-ack-of-syn'
  | 'ack-dropped'
  | 'no-connection'
  | 'send-fin'
  | 'recv-fin'
  | 'recv-fin-crossed'
  | 'recv-ack-of-fin'
  | 'send-rst'
  | 'recv-rst'
  | 'refuse'
  | 'timewait-expired'
  | 'timewait-reused'
  | 'midstream';

/** The RFC 9293 rule behind each event, for the explanation. */
export const RULES: Record<TransitionEvent, string> = {
  'send-syn': 'RFC 9293 §3.10.1 OPEN (active): send SYN, enter SYN-SENT',
  'recv-syn': 'RFC 9293 §3.10.7.2 LISTEN: on SYN, send SYN,ACK and enter SYN-RECEIVED',
  'recv-syn-crossed': 'RFC 9293 §3.10.7.3 SYN-SENT: a SYN without ACK (simultaneous open) → SYN-RECEIVED',
  'recv-synack': 'RFC 9293 §3.10.7.3 SYN-SENT: SYN,ACK acknowledging our SYN → ESTABLISHED, send ACK',
  'recv-ack-of-syn': 'RFC 9293 §3.10.7.4 SYN-RECEIVED: an acceptable ACK → ESTABLISHED',
  'ack-dropped':
    'RFC 9293 §3.10.7.4 SYN-RECEIVED: an ACK not processed leaves the connection in SYN-RECEIVED, which retransmits its SYN,ACK (Linux drops the ACK when the accept queue is full)',
  'no-connection':
    'RFC 9293 §3.10.7.2 LISTEN: a SYN the listener never processed creates no connection; the listening socket stays in LISTEN',
  'send-fin': 'RFC 9293 §3.10.4 CLOSE: send FIN (ESTABLISHED → FIN-WAIT-1, CLOSE-WAIT → LAST-ACK)',
  'recv-fin': 'RFC 9293 §3.10.7.4 eighth step, check FIN: ESTABLISHED → CLOSE-WAIT, FIN-WAIT-2 → TIME-WAIT',
  'recv-fin-crossed':
    'RFC 9293 §3.10.7.4 check FIN in FIN-WAIT-1 before our FIN is ACKed → CLOSING (simultaneous close)',
  'recv-ack-of-fin':
    'RFC 9293 §3.10.7.4 fifth step, check ACK: FIN-WAIT-1 → FIN-WAIT-2, CLOSING → TIME-WAIT, LAST-ACK → CLOSED',
  'send-rst': 'RFC 9293 §3.10.7 / §3.5.2: an endpoint that sends RST deletes its connection → CLOSED',
  'recv-rst': 'RFC 9293 §3.10.7.4 first step, check RST (in-window, RFC 5961): → CLOSED',
  refuse: 'RFC 9293 §3.10.7.1 CLOSED: no socket listening on the port; answer SYN with RST,ACK',
  'timewait-expired': 'RFC 9293 §3.10.8 time-wait timeout: after 2×MSL delete the connection → CLOSED',
  'timewait-reused': 'RFC 9293 §3.10.7.4 note / RFC 6191: a new SYN may reopen a connection in TIME-WAIT',
  midstream: 'Capture began mid-connection: both sides assumed ESTABLISHED',
};

/** States in which an endpoint has a synchronized connection (RFC 9293 §3.3.2). */
export function isSynchronized(s: TcpState): boolean {
  return s !== 'CLOSED' && s !== 'LISTEN' && s !== 'SYN-SENT' && s !== 'SYN-RECEIVED';
}
