/** HTTP/1.x analysis: stream parser, content detection, transaction pairing. */
export { HA } from './anomalies.js';
export { type ContentCoding, contentCodingOf, type DecodeOutcome, decodeBounded } from './decode.js';
export {
  classifyRequestStart,
  classifyResponseStart,
  type Detection,
  KNOWN_METHODS,
  looksLikeHttpRequest,
  looksLikeHttpResponse,
  TCHAR,
} from './detect.js';
export { HttpStreamParser } from './parser.js';
export {
  HttpConversation,
  type HttpConversationOptions,
  type HttpTag,
  type HttpTransaction,
  MAX_CONN_ANOMALIES,
  MAX_TX_ANOMALIES,
} from './transaction.js';
export * from './types.js';
