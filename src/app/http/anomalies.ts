/**
 * The HTTP/1.x anomaly catalogue. Ids are stable: tests and JSON consumers rely on them.
 *
 * For these anomalies `Anomaly.offset` is a byte offset in the direction's byte stream
 * (0 = first byte the client or server sent; missing bytes of a gap count), not in a frame.
 */
import { defineAnomalies } from '../../core/anomaly.js';

export const HA = defineAnomalies({
  // Start lines (RFC 9112 §3, §4)
  'http.bad-request-line': {
    severity: 'malformed',
    summary: 'Request line is not "METHOD SP target SP HTTP/1.x"; the parser looks for the next request.',
  },
  'http.bad-request-target': {
    severity: 'warning',
    summary: 'Request target contains spaces or control characters, which RFC 9112 forbids.',
  },
  'http.bad-status-line': {
    severity: 'malformed',
    summary: 'Status line is not "HTTP/1.x SP 3DIGIT SP reason"; the parser looks for the next response.',
  },
  'http.unsupported-version': {
    severity: 'unsupported',
    summary: 'HTTP major version other than 1 (for example the HTTP/2 connection preface); parsing stops.',
  },
  'http.version-0.9': {
    severity: 'note',
    summary: 'HTTP/0.9-style message: a request without a version, or a response without a status line.',
  },
  'http.missing-host': {
    severity: 'warning',
    summary: 'HTTP/1.1 request without a Host header (RFC 9112 §3.2 requires one).',
  },
  // Header section (RFC 9112 §5, RFC 9110 §5)
  'http.header-too-large': {
    severity: 'malformed',
    summary:
      'Start line and header section (or trailer section) exceed the size limit; the message is skipped.',
  },
  'http.too-many-headers': {
    severity: 'warning',
    summary: 'More header fields than the limit; the extra fields are not listed (framing still honoured).',
  },
  'http.bad-header-line': {
    severity: 'malformed',
    summary: 'Header line without a colon, or starting with whitespace right after the start line; ignored.',
  },
  'http.bad-header-name': {
    severity: 'malformed',
    summary: 'Header name is empty, has characters outside the token set, or whitespace before the colon.',
  },
  'http.obs-fold': {
    severity: 'warning',
    summary: 'Obsolete line folding: a header value continued on a line starting with whitespace.',
  },
  'http.bare-lf': {
    severity: 'warning',
    summary: 'Line ended by LF alone instead of CRLF (accepted, as RFC 9112 §2.2 allows).',
  },
  // Framing (RFC 9112 §6, §7)
  'http.bad-content-length': {
    severity: 'malformed',
    summary: 'Content-Length is not a decimal number (or too large); the body length is unknown.',
  },
  'http.conflicting-content-length': {
    severity: 'malformed',
    summary: 'Several Content-Length values that disagree; the body length is unknown.',
  },
  'http.transfer-encoding-and-content-length': {
    severity: 'warning',
    summary: 'Both Transfer-Encoding and Content-Length: Transfer-Encoding wins (a request smuggling sign).',
  },
  'http.bad-transfer-encoding': {
    severity: 'malformed',
    summary: 'Transfer-Encoding where chunked is repeated, or (in a request) not the final coding.',
  },
  'http.bad-chunk-size': {
    severity: 'malformed',
    summary: 'Chunk-size line is not hex digits, has too many digits, or never ends.',
  },
  'http.bad-chunk-end': {
    severity: 'malformed',
    summary: 'Chunk data is not followed by CRLF: the chunk size was wrong.',
  },
  'http.content-length-mismatch': {
    severity: 'warning',
    summary: 'The connection closed before the body reached its Content-Length.',
  },
  'http.unfinished-message': {
    severity: 'warning',
    summary: 'The connection closed in the middle of a message.',
  },
  'http.data-after-close': {
    severity: 'warning',
    summary: 'More data after a message that announced "Connection: close".',
  },
  // Capture loss
  'http.gap-in-headers': {
    severity: 'truncated',
    summary: 'Bytes missing from the capture inside a start line or header section; the message is skipped.',
  },
  'http.gap-in-body': {
    severity: 'truncated',
    summary: 'Bytes missing from the capture inside a body; counted, the body is incomplete.',
  },
  'http.gap-between-messages': {
    severity: 'truncated',
    summary: 'Bytes missing from the capture between messages; a whole message may be lost.',
  },
  // Recovery
  'http.resync': {
    severity: 'note',
    summary: 'Skipped bytes after a malformed message or a gap until the next plausible start line.',
  },
  'http.stopped': {
    severity: 'warning',
    summary: 'No plausible start line found within the resynchronisation limit: the rest is not parsed.',
  },
  // Content coding (RFC 9110 §8.4)
  'http.decode-error': {
    severity: 'warning',
    summary: 'The gzip, deflate or brotli body could not be decoded.',
  },
  'http.decode-limit': {
    severity: 'note',
    summary: 'The decoded body exceeds the decoding limit (possibly a compression bomb): preview only.',
  },
  // Pairing
  'http.too-many-pending': {
    severity: 'warning',
    summary: 'More requests awaiting a response than the limit; the oldest was dropped.',
  },
  'http.unmatched-response': {
    severity: 'warning',
    summary: 'A response with no request waiting for it.',
  },
});
