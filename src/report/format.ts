/** Text forms shared by every view: addresses, endpoints, TCP flags and options, times. */
import { ip4ToString, ip6ToString, macToString } from '../core/addr.js';
import { formatClock, formatEpoch, formatIso } from '../core/time.js';
import { type Ipv4Layer, type Ipv6Layer, TcpFlag, type TcpOption } from '../decode/types.js';

export function ipText(a: number | Uint8Array): string {
  return typeof a === 'number' ? ip4ToString(a) : ip6ToString(a);
}

export function srcText(ip: Ipv4Layer | Ipv6Layer): string {
  return ipText(ip.src);
}

export function dstText(ip: Ipv4Layer | Ipv6Layer): string {
  return ipText(ip.dst);
}

/** `10.0.0.1:80` or `[fd00::1]:80` */
export function endpoint(addr: string, port: number): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

export const mac = macToString;

const FLAG_NAMES: [number, string][] = [
  [TcpFlag.SYN, 'SYN'],
  [TcpFlag.FIN, 'FIN'],
  [TcpFlag.RST, 'RST'],
  [TcpFlag.PSH, 'PSH'],
  [TcpFlag.ACK, 'ACK'],
  [TcpFlag.URG, 'URG'],
  [TcpFlag.ECE, 'ECE'],
  [TcpFlag.CWR, 'CWR'],
  [TcpFlag.AE, 'AE'],
];

/** `SYN, ACK` (Wireshark's order and names); reserved bits as `RSV(0xN)`; no flags as `none`. */
export function tcpFlagsText(flags: number): string {
  const parts: string[] = [];
  for (const [bit, name] of FLAG_NAMES) if (flags & bit) parts.push(name);
  if (flags & TcpFlag.RESERVED) parts.push(`RSV(0x${((flags & TcpFlag.RESERVED) >> 9).toString(16)})`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

/** tshark's 12-character tcp.flags.str: reserved×3, AE, CWR, ECE, URG, ACK, PSH, RST, SYN, FIN; `·` when unset. */
export function tcpFlagsStr(flags: number): string {
  const letters = 'RRRACEUAPRSF';
  let s = '';
  for (let i = 0; i < 12; i++) s += flags & (1 << (11 - i)) ? letters[i] : '·';
  return s;
}

/** Compact option list: `mss 1460, sackOK, ts 1234/0, nop, ws 7`. */
export function tcpOptionsText(opts: readonly TcpOption[]): string {
  const parts: string[] = [];
  for (const o of opts) {
    switch (o.kind) {
      case 'eol':
        parts.push('eol');
        break;
      case 'nop':
        parts.push('nop');
        break;
      case 'mss':
        parts.push(`mss ${o.value}`);
        break;
      case 'wscale':
        parts.push(`ws ${o.shift}`);
        break;
      case 'sack-permitted':
        parts.push('sackOK');
        break;
      case 'sack':
        parts.push(`sack ${o.blocks.map(([l, r]) => `${l}-${r}`).join(' ')}`);
        break;
      case 'timestamp':
        parts.push(`ts ${o.tsval}/${o.tsecr}`);
        break;
      case 'tfo':
        parts.push(o.cookie === '' ? 'tfo cookie-request' : `tfo cookie ${o.cookie}`);
        break;
      case 'md5':
        parts.push('md5');
        break;
      case 'tcp-ao':
        parts.push(`tcp-ao key ${o.keyId}`);
        break;
      case 'mptcp':
        parts.push(`mptcp sub ${o.subtype}`);
        break;
      case 'unknown':
        parts.push(
          `opt-${o.code}${o.bytes ? ` ${o.bytes.slice(0, 16)}${o.bytes.length > 16 ? '…' : ''}` : ''}`,
        );
        break;
    }
  }
  return parts.join(', ');
}

export type TimeMode = 'rel' | 'abs' | 'delta' | 'epoch' | 'date';

export const TIME_MODES: readonly TimeMode[] = ['rel', 'abs', 'delta', 'epoch', 'date'];

/** Formats frame times in one of the modes; keeps the first and previous timestamps it saw. */
export class TimeFormatter {
  private firstSec = -1;
  private firstNsec = 0;
  private prevSec = -1;
  private prevNsec = 0;

  constructor(private readonly mode: TimeMode) {}

  /** Note a frame that is not displayed: relative times count from the capture's first packet, like Wireshark. */
  observe(sec: number, nsec: number): void {
    if (this.firstSec < 0) {
      this.firstSec = sec;
      this.firstNsec = nsec;
      this.prevSec = sec;
      this.prevNsec = nsec;
    }
  }

  format(sec: number, nsec: number): string {
    if (this.firstSec < 0) {
      this.firstSec = sec;
      this.firstNsec = nsec;
      this.prevSec = sec;
      this.prevNsec = nsec;
    }
    let out: string;
    switch (this.mode) {
      case 'abs':
        out = formatClock(sec, nsec);
        break;
      case 'epoch':
        out = formatEpoch(sec, nsec, 6);
        break;
      case 'date':
        out = formatIso(sec, nsec);
        break;
      case 'delta':
        out = diff(sec, nsec, this.prevSec, this.prevNsec);
        break;
      default:
        out = diff(sec, nsec, this.firstSec, this.firstNsec);
        break;
    }
    this.prevSec = sec;
    this.prevNsec = nsec;
    return out;
  }
}

/** Exact difference of two timestamps as seconds with 6 decimals. */
function diff(s: number, ns: number, s0: number, ns0: number): string {
  let ds = s - s0;
  let dn = ns - ns0;
  if (dn < 0) {
    dn += 1e9;
    ds -= 1;
  }
  if (ds < 0) {
    // Time went backwards (merged or reordered capture): show it as negative.
    const total = ds + dn / 1e9;
    return total.toFixed(6);
  }
  return `${ds}.${String(Math.floor(dn / 1000)).padStart(6, '0')}`;
}
