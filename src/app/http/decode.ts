/**
 * Bounded content decoding (RFC 9110 §8.4.1: gzip, deflate; RFC 7932: br) for body previews.
 *
 * The parser keeps at most `decodeInputBytes` of the compressed body and decodes them once, when
 * the message ends or the input cap is reached, with node:zlib's synchronous functions:
 * `maxOutputLength` bounds the output (a compression bomb stops there) and a sync flush lets a
 * truncated input yield what it can. Why not zlib's stream classes: they deliver output
 * asynchronously, after the synchronous replay loop has moved on, and would hold one inflate
 * state plus queued input per in-flight message across a whole capture.
 */
import zlib from 'node:zlib';

export type ContentCoding = 'gzip' | 'deflate' | 'br';

/**
 * The one coding to undo for a Content-Encoding value (lowercased, comma-separated list), or
 * undefined when there is none we decode or more than one (stacked codings are left alone).
 */
export function contentCodingOf(value: string): ContentCoding | undefined {
  let found: ContentCoding | undefined;
  for (const raw of value.split(',')) {
    const c = raw.trim();
    if (c === '' || c === 'identity') continue;
    if (found !== undefined) return undefined;
    if (c === 'gzip' || c === 'x-gzip') found = 'gzip';
    else if (c === 'deflate') found = 'deflate';
    else if (c === 'br') found = 'br';
    else return undefined;
  }
  return found;
}

export interface DecodeOutcome {
  /** First bytes of the decoded body (copy, at most `previewBytes`). */
  readonly preview: Uint8Array;
  /** Full decoded length, when the whole input was given and decoded within `maxOutput`. */
  readonly length?: number;
  /** The decoded body is larger than `maxOutput`. */
  readonly limited: boolean;
  /** zlib error code (`Z_DATA_ERROR`, ...) if the data is not valid for its coding. */
  readonly error?: string;
}

function isZlibHeader(d: Uint8Array): boolean {
  const cmf = d[0];
  const flg = d[1];
  return cmf !== undefined && flg !== undefined && (cmf & 0x0f) === 8 && (cmf * 256 + flg) % 31 === 0;
}

function isGzipMagic(d: Uint8Array): boolean {
  return d[0] === 0x1f && d[1] === 0x8b;
}

function run(coding: ContentCoding, input: Uint8Array, maxOutputLength: number): Buffer {
  if (coding === 'br') {
    return zlib.brotliDecompressSync(input, {
      finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
      maxOutputLength,
    });
  }
  const opts = { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength };
  // Servers label gzip as deflate, and send raw deflate for "deflate" (zlib-wrapped per the RFC).
  if (coding === 'gzip' || isGzipMagic(input)) return zlib.gunzipSync(input, opts);
  return isZlibHeader(input) ? zlib.inflateSync(input, opts) : zlib.inflateRawSync(input, opts);
}

function errorCode(e: unknown): string {
  if (typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string') return e.code;
  return 'error';
}

/**
 * Decode `input` (the start of a body, or all of it when `complete`). Never throws. Work and
 * memory are bounded by `maxOutput` per attempt; when the output is too large or the data is
 * bad, shorter prefixes are tried (at most log2(input) times) to still get a preview.
 */
export function decodeBounded(
  coding: ContentCoding,
  input: Uint8Array,
  complete: boolean,
  previewBytes: number,
  maxOutput: number,
): DecodeOutcome {
  let limited = false;
  let error: string | undefined;
  let n = input.length;
  while (n > 0) {
    try {
      const out = run(coding, n === input.length ? input : input.subarray(0, n), maxOutput);
      const preview = new Uint8Array(out.subarray(0, Math.min(previewBytes, out.length)));
      const whole = complete && n === input.length && error === undefined && !limited;
      const base = { preview, limited };
      const withErr = error === undefined ? base : { ...base, error };
      return whole ? { ...withErr, length: out.length } : withErr;
    } catch (e) {
      const code = errorCode(e);
      if (code === 'ERR_BUFFER_TOO_LARGE') limited = true;
      else if (error === undefined) error = code;
      n = n >> 1;
    }
  }
  const empty = { preview: new Uint8Array(0), limited };
  if (error !== undefined) return { ...empty, error };
  return complete && !limited ? { ...empty, length: 0 } : empty;
}
