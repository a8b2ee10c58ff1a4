/** The decoders' anomaly catalogue. Ids are stable: tests and JSON consumers rely on them. */
import { defineAnomalies } from '../core/anomaly.js';

export const DA = defineAnomalies({
  // Any layer
  truncated: { severity: 'truncated', summary: 'The capture cut this header short (snap length).' },
  'too-short': {
    severity: 'malformed',
    summary: 'The packet ends before this header does, and the capture did not cut it.',
  },
  'too-deep': {
    severity: 'malformed',
    summary: 'Too many nested headers (tunnels, tags or extension headers); decoding stopped.',
  },
  'decoder-bug': {
    severity: 'malformed',
    summary: 'Internal decoder error on this packet; the packet is kept undecoded.',
  },
  'unsupported-linktype': {
    severity: 'unsupported',
    summary: 'The capture link type is not one wirelens decodes.',
  },
  // Link
  'eth.llc-unknown': { severity: 'note', summary: 'IEEE 802.3 frame with an LLC service not decoded.' },
  'vlan.too-many-tags': {
    severity: 'malformed',
    summary: 'More stacked VLAN tags than any real network uses.',
  },
  'sll.unknown-arphrd': { severity: 'note', summary: 'Linux cooked header with an unusual hardware type.' },
  'null.unknown-family': {
    severity: 'note',
    summary: 'Loopback header names an address family wirelens does not decode.',
  },
  // ARP
  'arp.bad-lengths': {
    severity: 'malformed',
    summary: 'ARP hardware/protocol address lengths do not fit the frame or the types.',
  },
  'arp.unknown-opcode': { severity: 'note', summary: 'ARP operation code other than request/reply.' },
  // IPv4
  'ipv4.bad-version': { severity: 'malformed', summary: 'IPv4 header does not carry version 4.' },
  'ipv4.bad-ihl': {
    severity: 'malformed',
    summary: 'IPv4 header length is below 20 bytes or beyond the packet.',
  },
  'ipv4.bad-total-length': {
    severity: 'malformed',
    summary: 'IPv4 total length is smaller than the header or larger than the frame.',
  },
  'ipv4.bad-checksum': { severity: 'warning', summary: 'IPv4 header checksum is wrong.' },
  'ipv4.checksum-offload': {
    severity: 'note',
    summary: 'IPv4 header checksum not filled in yet: offloaded to the NIC of the capturing host.',
  },
  'ipv4.bad-option': { severity: 'malformed', summary: 'IPv4 option with an impossible length.' },
  'ipv4.super-frame': {
    severity: 'note',
    summary: 'TSO/GRO super-frame: one capture record for what goes on the wire as several segments.',
  },
  'ipv4.reserved-flag': { severity: 'warning', summary: 'IPv4 reserved ("evil") flag bit set.' },
  'ipv4.fragment': {
    severity: 'note',
    summary: 'IPv4 fragment: the transport header is only in the first fragment.',
  },
  'ipv4.ttl-zero': { severity: 'warning', summary: 'IPv4 packet in transit with TTL 0.' },
  // IPv6
  'ipv6.bad-version': { severity: 'malformed', summary: 'IPv6 header does not carry version 6.' },
  'ipv6.bad-payload-length': {
    severity: 'malformed',
    summary: 'IPv6 payload length is larger than the frame.',
  },
  'ipv6.bad-extension': {
    severity: 'malformed',
    summary: 'IPv6 extension header runs past the end of the packet.',
  },
  'ipv6.fragment': {
    severity: 'note',
    summary: 'IPv6 fragment: the transport header is only in the first fragment.',
  },
  'ipv6.super-frame': {
    severity: 'note',
    summary: 'TSO/GRO super-frame or jumbogram: payload length 0 or beyond the link MTU.',
  },
  'ipv6.esp': { severity: 'note', summary: 'ESP: the rest is encrypted, decoding stops.' },
  // ICMP
  'icmp.bad-checksum': { severity: 'warning', summary: 'ICMP checksum is wrong.' },
  'icmp.short-quote': {
    severity: 'note',
    summary: 'ICMP error quotes fewer bytes of the original datagram than its header needs.',
  },
  'icmp.unknown-type': { severity: 'note', summary: 'ICMP type not in the IANA registry.' },
  // TCP
  'tcp.bad-data-offset': {
    severity: 'malformed',
    summary: 'TCP data offset is below 5 words or beyond the segment.',
  },
  'tcp.bad-option-length': {
    severity: 'malformed',
    summary: 'TCP option length is impossible (below 2, or past the header).',
  },
  'tcp.bad-checksum': { severity: 'warning', summary: 'TCP checksum is wrong.' },
  'tcp.checksum-offload': {
    severity: 'note',
    summary: 'TCP checksum not filled in yet: offloaded to the NIC of the capturing host.',
  },
  'tcp.reserved-bits': { severity: 'warning', summary: 'Reserved TCP header bits set.' },
  'tcp.syn-fin': {
    severity: 'warning',
    summary: 'SYN and FIN set together: never valid, a scan or crafted packet.',
  },
  'tcp.port-zero': { severity: 'warning', summary: 'TCP port 0.' },
  'tcp.null-flags': { severity: 'warning', summary: 'No TCP flags set (NULL scan).' },
  // UDP
  'udp.bad-length': {
    severity: 'malformed',
    summary: 'UDP length field is below 8 or disagrees with the IP length.',
  },
  'udp.bad-checksum': { severity: 'warning', summary: 'UDP checksum is wrong.' },
  'udp.checksum-offload': {
    severity: 'note',
    summary: 'UDP checksum not filled in yet: offloaded to the NIC of the capturing host.',
  },
  'udp.zero-checksum-ipv6': {
    severity: 'warning',
    summary: 'UDP over IPv6 with checksum 0, which RFC 8200 forbids.',
  },
  // DNS
  'dns.bad-name': {
    severity: 'malformed',
    summary: 'DNS name with a bad label type, a label past the message, or too long.',
  },
  'dns.pointer-loop': {
    severity: 'malformed',
    summary: 'DNS name compression pointers loop or point forward.',
  },
  'dns.bad-record': { severity: 'malformed', summary: 'DNS record runs past the end of the message.' },
  'dns.too-short': {
    severity: 'malformed',
    summary: 'Message on the DNS port is shorter than a DNS header.',
  },
});
