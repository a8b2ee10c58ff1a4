/** Anomalies of TCP stream reassembly (see reassembly.ts). Tests assert these ids. */
import { defineAnomalies } from '../../core/anomaly.js';

export const RA = defineAnomalies({
  'tcp.reassembly.gap': {
    severity: 'warning',
    summary: 'Bytes of this stream were never captured: the reassembled stream skips them.',
  },
  'tcp.reassembly.limit': {
    severity: 'note',
    summary:
      'A reassembly memory limit was reached: a hole was skipped without waiting for its retransmission.',
  },
  'tcp.reassembly.overlap-conflict': {
    severity: 'warning',
    summary:
      'Retransmitted or overlapping bytes differ from the copy seen first (the first copy is kept): a broken stack or an evasion attempt.',
  },
  'tcp.reassembly.data-after-fin': {
    severity: 'warning',
    summary: "Bytes beyond the sequence number of this side's FIN: left out of the stream.",
  },
  'tcp.reassembly.data-after-end': {
    severity: 'note',
    summary: 'Data arrived after the stream had ended (reset or closed): left out of the stream.',
  },
  'tcp.reassembly.out-of-window': {
    severity: 'warning',
    summary: 'Segment further ahead of the next expected byte than any TCP window allows: ignored.',
  },
  'tcp.reassembly.truncated': {
    severity: 'truncated',
    summary: "Payload bytes cut by the capture's snap length: the reassembled stream skips them.",
  },
  'tcp.reassembly.history-limit': {
    severity: 'note',
    summary:
      'The shared budget for recently delivered bytes is exhausted: some retransmissions cannot be checked for conflicting bytes.',
  },
  'tcp.reassembly.anomalies-truncated': {
    severity: 'note',
    summary: 'Too many reassembly anomalies on this stream: later ones are only counted.',
  },
});
