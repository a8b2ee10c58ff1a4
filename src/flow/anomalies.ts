/** Flow-level anomaly catalogue (connection tracking, limits, TCP semantics). */
import { defineAnomalies } from '../core/anomaly.js';

export const FA = defineAnomalies({
  'flow.evicted': {
    severity: 'note',
    summary:
      'Flow table full: the connection idle longest (half-open ones first) was evicted before it finished.',
  },
  'flow.expired': { severity: 'note', summary: 'Connection idle longer than its timeout: tracking ended.' },
  'tcp.midstream': {
    severity: 'note',
    summary: 'Capture began in the middle of this connection: no handshake seen.',
  },
  'tcp.rst-out-of-window': {
    severity: 'warning',
    summary: 'RST with a sequence number outside the receiver window: ignored by the receiver (RFC 5961).',
  },
  'tcp.syn-reuse-timewait': { severity: 'warning', summary: 'New SYN on a 4-tuple still in TIME-WAIT.' },
  'tcp.syn-in-established': {
    severity: 'warning',
    summary: 'SYN with a new sequence number on a connection that was still open.',
  },
  'tcp.data-after-fin': {
    severity: 'warning',
    summary: 'Data sent after this side had already sent its FIN.',
  },
  'tcp.data-after-close': {
    severity: 'warning',
    summary: 'Segment for a connection that both sides had already closed.',
  },
  'tcp.transitions-truncated': {
    severity: 'note',
    summary: 'Too many state changes on one connection: later ones are not recorded.',
  },
  'tcp.ack-of-unsent': {
    severity: 'warning',
    summary: 'Acknowledges data the other side never sent (as far as the capture shows).',
  },
});
