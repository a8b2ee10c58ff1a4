/**
 * The per-packet fields the differential test compares, extracted both from tshark and from
 * wirelens' decoded packets, in tshark's text form. Every occurrence of a field counts, in order
 * (an ICMP error has two ip.src: the outer header's and the quoted one's).
 */
import { readFileSync } from 'node:fs';
import { readCaptureBuffer } from '../../src/capture/source.js';
import type { Frame } from '../../src/capture/types.js';
import { decodeFrame } from '../../src/decode/pipeline.js';
import type { Layer, Packet } from '../../src/decode/types.js';
import { ipText, mac } from '../../src/report/format.js';
import { runTool } from '../helpers/corpus.js';

export const FIELDS = [
  'frame.len',
  'frame.cap_len',
  'eth.src',
  'eth.dst',
  'vlan.id',
  'ieee8021ad.id',
  'sll.pkttype',
  'null.family',
  'arp.opcode',
  'ip.src',
  'ip.dst',
  'ip.proto',
  'ipv6.src',
  'ipv6.dst',
  'tcp.srcport',
  'tcp.dstport',
  'tcp.flags',
  'tcp.seq_raw',
  'tcp.ack_raw',
  'tcp.len',
  'udp.srcport',
  'udp.dstport',
  'icmp.type',
  'icmp.code',
  'icmpv6.type',
  'icmpv6.code',
  'dns.id',
] as const;

export type Field = (typeof FIELDS)[number];
export type Fields = Partial<Record<Field, string[]>>;

/** tshark's values per frame number. Preferences: no IP reassembly (each fragment stands alone, as in wirelens). */
export function tsharkFields(file: string): Map<number, Fields> {
  const args = ['-r', file, '-n', '-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE', '-T', 'fields'];
  args.push('-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=|', '-e', 'frame.number');
  for (const f of FIELDS) args.push('-e', f);
  const { stdout } = runTool('tshark', args);
  const out = new Map<number, Fields>();
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    const cols = line.split('\t');
    const rec: Fields = {};
    FIELDS.forEach((f, i) => {
      const v = cols[i + 1];
      if (v !== undefined && v !== '') rec[f] = v.split('|').map((x) => normalise(f, x));
    });
    out.set(Number(cols[0]), rec);
  }
  return out;
}

function normalise(f: Field, v: string): string {
  if (f === 'tcp.flags' || f === 'dns.id') return String(Number.parseInt(v, 16));
  return v;
}

function push(rec: Fields, f: Field, v: string | number): void {
  const list = rec[f];
  const s = String(v);
  if (list) list.push(s);
  else rec[f] = [s];
}

function addLayer(rec: Fields, l: Layer): void {
  switch (l.kind) {
    case 'eth':
      push(rec, 'eth.src', mac(l.src));
      push(rec, 'eth.dst', mac(l.dst));
      break;
    case 'vlan':
      push(rec, l.tpid === 0x88a8 ? 'ieee8021ad.id' : 'vlan.id', l.vid);
      break;
    case 'sll':
      push(rec, 'sll.pkttype', l.packetType);
      break;
    case 'sll2':
      push(rec, 'sll.pkttype', l.packetType);
      break;
    case 'null':
      push(rec, 'null.family', l.family);
      break;
    case 'arp':
      push(rec, 'arp.opcode', l.opcode);
      break;
    case 'ipv4':
      push(rec, 'ip.src', ipText(l.src));
      push(rec, 'ip.dst', ipText(l.dst));
      push(rec, 'ip.proto', l.protocol);
      break;
    case 'ipv6':
      push(rec, 'ipv6.src', ipText(l.src));
      push(rec, 'ipv6.dst', ipText(l.dst));
      break;
    case 'icmp4':
    case 'icmp6': {
      const p = l.kind === 'icmp4' ? 'icmp' : 'icmpv6';
      push(rec, `${p}.type` as Field, l.type);
      push(rec, `${p}.code` as Field, l.code);
      for (const q of l.quoted ?? []) addLayer(rec, q);
      break;
    }
    case 'tcp':
      push(rec, 'tcp.srcport', l.srcPort);
      push(rec, 'tcp.dstport', l.dstPort);
      if (!l.partial || l.headerLength >= 14) push(rec, 'tcp.flags', l.flags);
      if (!l.partial || l.headerLength >= 8) push(rec, 'tcp.seq_raw', l.seq);
      if (!l.partial || l.headerLength >= 12) push(rec, 'tcp.ack_raw', l.ack);
      if (!l.partial || (l.headerLength >= 13 && l.dataOffset >= 5)) push(rec, 'tcp.len', l.payloadLength);
      break;
    case 'udp':
      push(rec, 'udp.srcport', l.srcPort);
      push(rec, 'udp.dstport', l.dstPort);
      break;
    case 'dns':
      push(rec, 'dns.id', l.id);
      break;
    case 'llc':
    case 'undecoded':
      break;
  }
}

export function packetFields(p: Packet): Fields {
  const rec: Fields = {};
  push(rec, 'frame.len', p.frame.origlen);
  push(rec, 'frame.cap_len', p.frame.caplen);
  for (const l of p.layers) addLayer(rec, l);
  return rec;
}

/** Decode a whole file with wirelens; returns packets' fields by frame number, and the packets' statuses. */
export function wirelensFields(file: string): {
  fields: Map<number, Fields>;
  frames: number;
  statuses: Map<number, string>;
} {
  const fields = new Map<number, Fields>();
  const statuses = new Map<number, string>();
  let frames = 0;
  readCaptureBuffer(readFileSync(file), {
    frame(f: Frame) {
      frames++;
      const p = decodeFrame(f);
      fields.set(f.index, packetFields(p));
      statuses.set(f.index, p.status);
    },
    problem() {},
  });
  return { fields, frames, statuses };
}
