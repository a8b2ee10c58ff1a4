/**
 * Terminal-safe text. Everything printed from a packet (URIs, headers, host names, payload
 * previews) is attacker-controlled: these functions turn it into text that cannot move the
 * cursor, change the window title, ring the bell, reorder the line (bidi overrides) or smuggle
 * invalid UTF-8. The result is also unambiguous: a backslash is doubled, so `\x1b` in output
 * always means the byte 0x1b was there.
 *
 * Escapes: `\\`, `\t`, `\n`, `\r`, other C0 and DEL as `\xNN`, C1 controls and Unicode format /
 * bidi / line-separator characters as `\u{NNNN}`, invalid UTF-8 bytes as `\xNN`.
 */

import { latin1 } from './bytes.js';

const SIMPLE: Record<number, string> = { 92: '\\\\', 9: '\\t', 10: '\\n', 13: '\\r' };

function hexByte(b: number): string {
  return `\\x${b.toString(16).padStart(2, '0')}`;
}

/** True for code points that must never reach a terminal raw. */
function isDangerousCodePoint(cp: number): boolean {
  return (
    cp < 0x20 ||
    cp === 0x7f ||
    (cp >= 0x80 && cp <= 0x9f) || // C1 controls (0x9b is CSI on some terminals)
    cp === 0xad || // soft hyphen (invisible)
    (cp >= 0x200b && cp <= 0x200f) || // zero-width and LRM/RLM
    (cp >= 0x2028 && cp <= 0x202e) || // line/paragraph separators, bidi embeddings/overrides
    (cp >= 0x2060 && cp <= 0x206f) || // word joiner, bidi isolates, deprecated format chars
    cp === 0xfeff ||
    (cp >= 0xfff9 && cp <= 0xfffb) ||
    (cp >= 0xe0000 && cp <= 0xe007f) // tag characters
  );
}

function escapeCodePoint(cp: number): string {
  const s = SIMPLE[cp];
  if (s !== undefined) return s;
  if (cp < 0x80) return hexByte(cp);
  return `\\u{${cp.toString(16).padStart(4, '0')}}`;
}

/** Printable ASCII other than the backslash, all of it: bytes `escapeBytes` returns as they are. */
export function isPlainBytes(d: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = d[i] as number;
    if (b < 0x20 || b >= 0x7f || b === 0x5c) return false;
  }
  return true;
}

/** Escape a byte range decoded as UTF-8 (invalid sequences byte by byte as `\xNN`). */
export function escapeBytes(d: Uint8Array, start = 0, end = d.length): string {
  // The usual header, target or reason: nothing to escape, one native slice.
  if (isPlainBytes(d, start, end)) return latin1(d, start, end);
  let out = '';
  let plainStart = -1;
  let i = start;
  const flush = (upTo: number) => {
    if (plainStart >= 0) {
      out += Buffer.from(d.buffer, d.byteOffset + plainStart, upTo - plainStart).toString('utf8');
      plainStart = -1;
    }
  };
  while (i < end) {
    const b = d[i] as number;
    if (b >= 0x20 && b < 0x7f && b !== 0x5c) {
      if (plainStart < 0) plainStart = i;
      i++;
      continue;
    }
    // Multi-byte UTF-8: validate strictly (no overlongs, no surrogates, <= U+10FFFF).
    let cp = -1;
    let len = 0;
    if (b >= 0xc2 && b <= 0xdf) {
      len = 2;
      cp = b & 0x1f;
    } else if (b >= 0xe0 && b <= 0xef) {
      len = 3;
      cp = b & 0x0f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      len = 4;
      cp = b & 0x07;
    }
    if (len > 0 && i + len <= end) {
      let ok = true;
      for (let k = 1; k < len; k++) {
        const c = d[i + k] as number;
        if ((c & 0xc0) !== 0x80) {
          ok = false;
          break;
        }
        cp = (cp << 6) | (c & 0x3f);
      }
      if (
        ok &&
        ((len === 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
          (len === 4 && (cp < 0x10000 || cp > 0x10ffff)))
      ) {
        ok = false;
      }
      if (ok) {
        if (isDangerousCodePoint(cp)) {
          flush(i);
          out += escapeCodePoint(cp);
        } else if (plainStart < 0) {
          plainStart = i;
        }
        i += len;
        continue;
      }
    }
    flush(i);
    out += b < 0x80 ? escapeCodePoint(b) : hexByte(b);
    i++;
  }
  flush(end);
  return out;
}

/** Escape a JS string that came from packet data (already decoded). */
export function escapeText(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (cp === 0x5c || isDangerousCodePoint(cp) || (cp >= 0xd800 && cp <= 0xdfff)) out += escapeCodePoint(cp);
    else out += ch;
  }
  return out;
}

/** Bytes that are not UTF-8 text (DNS labels): printable ASCII as is, everything else `\xNN`. */
export function escapeAscii(d: Uint8Array, start = 0, end = d.length): string {
  let out = '';
  for (let i = start; i < end; i++) {
    const b = d[i] as number;
    if (b >= 0x20 && b < 0x7f && b !== 0x5c) out += String.fromCharCode(b);
    else out += b === 0x5c ? '\\\\' : hexByte(b);
  }
  return out;
}
