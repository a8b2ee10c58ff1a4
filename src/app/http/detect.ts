/**
 * Recognise HTTP/1.x by content, from the first bytes of a stream, so that HTTP on any port is
 * found (and non-HTTP on port 80 is not parsed as HTTP).
 *
 * Request:  method SP request-target SP "HTTP/1."     (RFC 9112 §3; method is a token, RFC 9110 §9.1)
 *           or the HTTP/0.9 form "GET SP /path CRLF"
 * Response: "HTTP/1." DIGIT SP 3DIGIT                   (RFC 9112 §4)
 */

/** 1 for `tchar` (RFC 9110 §5.6.2): `!#$%&'*+-.^_\`|~`, DIGIT, ALPHA. */
export const TCHAR: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let c = 0x30; c <= 0x39; c++) t[c] = 1;
  for (let c = 0x41; c <= 0x5a; c++) t[c] = 1;
  for (let c = 0x61; c <= 0x7a; c++) t[c] = 1;
  for (const ch of "!#$%&'*+-.^_`|~") t[ch.charCodeAt(0)] = 1;
  return t;
})();

/**
 * Methods seen in the wild: RFC 9110's, PATCH (RFC 5789), WebDAV and its extensions (RFC 4918,
 * 3253, 3648, 3744, 4791, 5323, 5842), and a few common extensions. Any other token is still a
 * valid (extension) method; this list only makes a short or version-less start more believable.
 */
export const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
  'PROPFIND',
  'PROPPATCH',
  'MKCOL',
  'COPY',
  'MOVE',
  'LOCK',
  'UNLOCK',
  'SEARCH',
  'REPORT',
  'MKACTIVITY',
  'CHECKOUT',
  'CHECKIN',
  'UNCHECKOUT',
  'MERGE',
  'MKCALENDAR',
  'MKWORKSPACE',
  'VERSION-CONTROL',
  'BASELINE-CONTROL',
  'LABEL',
  'UPDATE',
  'ORDERPATCH',
  'ACL',
  'BIND',
  'UNBIND',
  'REBIND',
  'LINK',
  'UNLINK',
  'PURGE',
  'QUERY',
  'M-SEARCH',
  'NOTIFY',
  'SUBSCRIBE',
  'UNSUBSCRIBE',
  'SOURCE',
]);

/** `yes`: an HTTP start; `no`: cannot be one; `more`: all bytes so far fit, more are needed. */
export type Detection = 'yes' | 'no' | 'more';

const SP = 0x20;
const CR = 0x0d;
const LF = 0x0a;
/** "HTTP/1." */
const HTTP1 = [0x48, 0x54, 0x54, 0x50, 0x2f, 0x31, 0x2e];

function isDigit(b: number | undefined): boolean {
  return b !== undefined && b >= 0x30 && b <= 0x39;
}

/** True for the three GET bytes at `i` (the only method of HTTP/0.9). */
function isGet(d: Uint8Array, i: number, len: number): boolean {
  return len === 3 && d[i] === 0x47 && d[i + 1] === 0x45 && d[i + 2] === 0x54;
}

/**
 * Classify the bytes at the start of a client stream. `maxMethod` bounds the method token so
 * that a long run of letters is rejected early.
 */
export function classifyRequestStart(d: Uint8Array, start = 0, end = d.length, maxMethod = 32): Detection {
  let i = start;
  while (i < end && TCHAR[d[i] as number] === 1) i++;
  const methodLen = i - start;
  if (methodLen > maxMethod) return 'no';
  if (i === end) return 'more';
  if (methodLen === 0 || d[i] !== SP) return 'no';
  i++;
  const targetStart = i;
  // request-target: visible characters (RFC 3986 plus what clients send raw: UTF-8, `|`, `"`).
  while (i < end) {
    const b = d[i] as number;
    if (b <= SP || b === 0x7f) break;
    i++;
  }
  if (i === end) return 'more';
  const b = d[i] as number;
  if (i === targetStart) return 'no';
  if (b === CR || b === LF) {
    // HTTP/0.9 simple request: only GET, and an origin-form target.
    return isGet(d, start, methodLen) && d[targetStart] === 0x2f ? 'yes' : 'no';
  }
  if (b !== SP) return 'no';
  i++;
  for (let k = 0; k < HTTP1.length; k++, i++) {
    if (i === end) return 'more';
    if (d[i] !== HTTP1[k]) return 'no';
  }
  return 'yes';
}

/** Classify the bytes at the start of a server stream: `HTTP/1.x SP 3DIGIT`. */
export function classifyResponseStart(d: Uint8Array, start = 0, end = d.length): Detection {
  let i = start;
  for (let k = 0; k < HTTP1.length; k++, i++) {
    if (i === end) return 'more';
    if (d[i] !== HTTP1[k]) return 'no';
  }
  if (i === end) return 'more';
  if (!isDigit(d[i])) return 'no';
  i++;
  if (i === end) return 'more';
  if (d[i] !== SP) return 'no';
  i++;
  for (let k = 0; k < 3; k++, i++) {
    if (i === end) return 'more';
    if (!isDigit(d[i])) return 'no';
  }
  return 'yes';
}

/** True when the first bytes of a stream are an HTTP/1.x request line (or an HTTP/0.9 GET). */
export function looksLikeHttpRequest(bytes: Uint8Array): boolean {
  return classifyRequestStart(bytes) === 'yes';
}

/** True when the first bytes of a stream are an HTTP/1.x status line. */
export function looksLikeHttpResponse(bytes: Uint8Array): boolean {
  return classifyResponseStart(bytes) === 'yes';
}
