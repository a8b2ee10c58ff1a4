/**
 * The Zeek settings each baseline of fixtures/zeek/ was produced with (from the corpus INDEX.tsv), as
 * options for the Zeek summary: which scripts were loaded (they fill `likely_server_ports`), whether
 * checksums were validated, and the redefs that matter to conn.log.
 */
import {
  ZEEK_FULL_TCP_SERVER_PORTS,
  type ZeekTcpOptions,
  zeekTcpServerPorts,
} from '../../../src/flow/tcp/zeek.js';
import { ZEEK_FULL_UDP_SERVER_PORTS, zeekUdpServerPorts } from '../../../src/flow/zeek-udp.js';
import type { RunOptions } from './run.js';

interface Setting {
  /** 'full' = default scripts; otherwise `zeek -b` with these base protocols loaded. */
  readonly scripts: 'full' | readonly string[];
  /** Checksums validated (no -C and no ignore_checksums_nets covering the trace). */
  readonly validated?: boolean;
  readonly extraTcpPorts?: readonly number[];
  readonly extraUdpPorts?: readonly number[];
  readonly tcp?: Partial<ZeekTcpOptions>;
}

export const SETTINGS: Readonly<Record<string, Setting>> = {
  'core.checksums_ignore_nets': { scripts: [], validated: true },
  'core.checksums_ignore_nets.worked': { scripts: [] },
  'core.conn-size-flip.one-sided': { scripts: [] },
  'core.expire-all-timers': { scripts: [] },
  'core.local-flip': { scripts: ['http'] },
  'core.q-in-q': { scripts: [], validated: true },
  'core.tcp.bad-checksum-syn': { scripts: [], validated: true },
  'core.tcp.large-file-reassembly': {
    scripts: 'full',
    validated: true,
    tcp: { excessiveDataWithoutAcks: 0 },
  },
  'core.tcp.missing-syn': { scripts: ['http'] },
  'core.tcp.reassembly-known-ports': { scripts: ['http'], validated: true },
  'core.tcp.rxmit-history.wikipedia': { scripts: 'full' },
  'core.tcp.tcp-dups': { scripts: [] },
  'core.udp-broadcast-no-flip': { scripts: [], validated: true, extraUdpPorts: [40190] },
  'scripts.base.frameworks.analyzer.request-response-protocol-differences.http-to-ssh': {
    scripts: 'full',
    validated: true,
  },
  'scripts.base.frameworks.logging.field-name-map2': { scripts: [], validated: true },
  'scripts.base.protocols.conn.conn_state-RST-behavior.single-rst': { scripts: [] },
  'scripts.base.protocols.conn.conn_state-RST-behavior.syn-then-rst': { scripts: [] },
  'scripts.base.protocols.dhcp.dhcp-all-msg-types': { scripts: ['dhcp'], validated: true },
  'scripts.base.protocols.ftp.cwd-navigation': { scripts: ['ftp'], validated: true },
  'scripts.base.protocols.ftp.ftp-auth-tls': { scripts: 'full', validated: true },
  'scripts.base.protocols.ftp.ftp-ipv4': { scripts: ['ftp'], validated: true },
  'scripts.base.protocols.http.concurrent-range-requests': { scripts: ['http'], validated: true },
  'scripts.base.protocols.http.flip-content-line-resp': { scripts: ['http'], validated: true },
  'scripts.base.protocols.http.http-connect': { scripts: ['http', 'smtp'], validated: true },
  'scripts.base.protocols.http.http-no-crlf': { scripts: ['http'], validated: true },
  'scripts.base.protocols.http.m57-long-download-windowsupdate-1': { scripts: ['http'], validated: true },
  'scripts.base.protocols.imap.starttls': { scripts: ['ssl', 'imap'] },
  'scripts.base.protocols.irc.basic': { scripts: ['irc'], validated: true },
  'scripts.base.protocols.irc.starttls': { scripts: ['ssl', 'irc'] },
  'scripts.base.protocols.krb.krb-service-name': { scripts: ['krb'], validated: true },
  'scripts.base.protocols.ldap.add': { scripts: 'full', validated: true },
  'scripts.base.protocols.ldap.basic': { scripts: 'full' },
  'scripts.base.protocols.ldap.diff_port': { scripts: 'full' },
  'scripts.base.protocols.ldap.sasl-ntlm': { scripts: 'full', validated: true },
  'scripts.base.protocols.ldap.sasl-signed-clear': { scripts: 'full' },
  'scripts.base.protocols.ldap.spnego-ntlmssp': { scripts: 'full', validated: true },
  'scripts.base.protocols.ncp.frame_size_tuning': { scripts: [], extraTcpPorts: [524] },
  'scripts.base.protocols.pop3.basic': { scripts: ['pop3'], validated: true },
  'scripts.base.protocols.pop3.redis': { scripts: ['pop3'], validated: true },
  'scripts.base.protocols.rdp.rdpeudp-handshake-fail': { scripts: ['rdp'], validated: true },
  'scripts.base.protocols.redis.django-cloud': {
    scripts: ['redis'],
    validated: true,
    extraTcpPorts: [10625],
  },
  'scripts.base.protocols.rpc.max-pending-calls': { scripts: 'full', validated: true },
  'scripts.base.protocols.ssh.http-port-22': { scripts: 'full', validated: true },
  'scripts.base.protocols.ssh.pre-banner': { scripts: 'full', validated: true },
  'scripts.policy.protocols.conn.mac-logging.wikipedia': { scripts: [] },
  'scripts.policy.protocols.conn.speculative-service': { scripts: ['dns', 'http'] },
};

export function runOptionsFor(test: string): RunOptions {
  const s = SETTINGS[test];
  if (!s) throw new Error(`no Zeek settings for ${test}`);
  const full = s.scripts === 'full';
  const protos = full ? [] : (s.scripts as readonly string[]);
  const tcpPorts = full
    ? new Set([...ZEEK_FULL_TCP_SERVER_PORTS, ...(s.extraTcpPorts ?? [])])
    : zeekTcpServerPorts(protos, s.extraTcpPorts);
  const udpPorts = full
    ? new Set([...ZEEK_FULL_UDP_SERVER_PORTS, ...(s.extraUdpPorts ?? [])])
    : zeekUdpServerPorts(protos, s.extraUdpPorts);
  return {
    // Zeek cannot tell a NIC-offload checksum from a wrong one.
    tcp: { likelyServerPorts: tcpPorts, ignoreChecksums: !s.validated, offloadIsBad: true, ...s.tcp },
    udp: { likelyServerPorts: udpPorts, ignoreChecksums: !s.validated, offloadIsBad: true },
  };
}
