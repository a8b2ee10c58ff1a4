/**
 * The words of the libpcap filter language: reserved keywords, named constants, and the name
 * tables libpcap consults (/etc/services, /etc/protocols, its built-in EtherType list).
 *
 * The service and protocol tables are fixed copies of the common Debian netbase entries, so a
 * filter means the same thing on every machine (libpcap itself reads the capturing machine's
 * files; test/filter/names.test.ts checks these tables against the local files when present).
 */

/**
 * Every reserved word of libpcap 1.10's scanner. A reserved word can never be a name
 * (`port mpls` is a syntax error in libpcap), so wirelens reserves all of them, including the
 * ones it does not implement, which are rejected with a clear "not supported" message.
 */
// biome-ignore format: a word list reads better packed
export const KEYWORDS: ReadonlySet<string> = new Set([
  // protocol qualifiers
  'link', 'ether', 'ppp', 'slip', 'fddi', 'tr', 'wlan', 'arp', 'rarp', 'ip', 'sctp', 'tcp', 'udp',
  'icmp', 'igmp', 'igrp', 'pim', 'vrrp', 'carp', 'radio', 'ip6', 'icmp6', 'ah', 'esp', 'atalk',
  'aarp', 'decnet', 'lat', 'sca', 'moprc', 'mopdl', 'iso', 'esis', 'es-is', 'isis', 'is-is', 'l1',
  'l2', 'iih', 'lsp', 'snp', 'csnp', 'psnp', 'clnp', 'stp', 'ipx', 'netbeui',
  // direction qualifiers
  'src', 'dst', 'address1', 'addr1', 'address2', 'addr2', 'address3', 'addr3', 'address4', 'addr4',
  'ra', 'ta',
  // address-type qualifiers
  'host', 'net', 'mask', 'port', 'portrange', 'proto', 'protochain', 'gateway',
  // boolean operators
  'and', 'or', 'not',
  // other primitives
  'less', 'greater', 'byte', 'broadcast', 'multicast', 'len', 'inbound', 'outbound', 'ifindex',
  'vlan', 'mpls', 'pppoed', 'pppoes', 'geneve', 'lane', 'llc',
  // ATM
  'metac', 'bcc', 'oam', 'oamf4', 'oamf4ec', 'oamf4sc', 'sc', 'ilmic', 'vpi', 'vci', 'connectmsg',
  'metaconnect',
  // OpenBSD pf
  'on', 'ifname', 'rnr', 'rulenum', 'reason', 'rset', 'ruleset', 'srnr', 'subrulenum', 'action',
  // 802.11
  'type', 'subtype', 'direction', 'dir',
  // SS7 MTP
  'fisu', 'lssu', 'lsu', 'msu', 'hfisu', 'hlssu', 'hmsu', 'sio', 'opc', 'dpc', 'sls', 'hsio', 'hopc',
  'hdpc', 'hsls',
]);

/** Named numeric constants libpcap's scanner turns into numbers (header offsets and field values). */
export const NAMED_CONSTANTS: ReadonlyMap<string, number> = new Map([
  ['tcpflags', 13],
  ['tcp-fin', 0x01],
  ['tcp-syn', 0x02],
  ['tcp-rst', 0x04],
  ['tcp-push', 0x08],
  ['tcp-ack', 0x10],
  ['tcp-urg', 0x20],
  ['tcp-ece', 0x40],
  ['tcp-cwr', 0x80],
  ['icmptype', 0],
  ['icmpcode', 1],
  ['icmp-echoreply', 0],
  ['icmp-unreach', 3],
  ['icmp-sourcequench', 4],
  ['icmp-redirect', 5],
  ['icmp-echo', 8],
  ['icmp-routeradvert', 9],
  ['icmp-routersolicit', 10],
  ['icmp-timxceed', 11],
  ['icmp-paramprob', 12],
  ['icmp-tstamp', 13],
  ['icmp-tstampreply', 14],
  ['icmp-ireq', 15],
  ['icmp-ireqreply', 16],
  ['icmp-maskreq', 17],
  ['icmp-maskreply', 18],
  ['icmp6type', 0],
  ['icmp6code', 1],
  ['icmp6-destinationunreach', 1],
  ['icmp6-packettoobig', 2],
  ['icmp6-timeexceeded', 3],
  ['icmp6-parameterproblem', 4],
  ['icmp6-echo', 128],
  ['icmp6-echoreply', 129],
  ['icmp6-multicastlistenerquery', 130],
  ['icmp6-multicastlistenerreportv1', 131],
  ['icmp6-multicastlistenerdone', 132],
  ['icmp6-routersolicit', 133],
  ['icmp6-routeradvert', 134],
  ['icmp6-neighborsolicit', 135],
  ['icmp6-neighboradvert', 136],
  ['icmp6-redirect', 137],
  ['icmp6-routerrenum', 138],
  ['icmp6-nodeinformationquery', 139],
  ['icmp6-nodeinformationresponse', 140],
  ['icmp6-ineighbordiscoverysolicit', 141],
  ['icmp6-ineighbordiscoveryadvert', 142],
  ['icmp6-multicastlistenerreportv2', 143],
  ['icmp6-homeagentdiscoveryrequest', 144],
  ['icmp6-homeagentdiscoveryreply', 145],
  ['icmp6-mobileprefixsolicit', 146],
  ['icmp6-mobileprefixadvert', 147],
  ['icmp6-certpathsolicit', 148],
  ['icmp6-certpathadvert', 149],
  ['icmp6-multicastrouteradvert', 151],
  ['icmp6-multicastroutersolicit', 152],
  ['icmp6-multicastrouterterm', 153],
]);

/** A service name: its TCP and/or UDP port (libpcap looks a name up for both). */
export interface ServiceEntry {
  readonly tcp?: number;
  readonly udp?: number;
}

/** [name, tcp port or 0, udp port or 0, aliases...] from Debian netbase's /etc/services. */
const SERVICES: readonly (readonly [string, number, number, ...string[]])[] = [
  ['echo', 7, 7],
  ['discard', 9, 9, 'sink', 'null'],
  ['daytime', 13, 13],
  ['chargen', 19, 19, 'ttytst', 'source'],
  ['ftp-data', 20, 0],
  ['ftp', 21, 0],
  ['fsp', 0, 21, 'fspd'],
  ['ssh', 22, 0],
  ['telnet', 23, 0],
  ['smtp', 25, 0, 'mail'],
  ['time', 37, 37, 'timserver'],
  ['whois', 43, 0, 'nicname'],
  ['tacacs', 49, 49],
  ['domain', 53, 53],
  ['bootps', 0, 67],
  ['bootpc', 0, 68],
  ['tftp', 0, 69],
  ['gopher', 70, 0],
  ['finger', 79, 0],
  ['http', 80, 0, 'www'],
  ['kerberos', 88, 88, 'kerberos5', 'krb5', 'kerberos-sec'],
  ['pop3', 110, 0, 'pop-3'],
  ['sunrpc', 111, 111, 'portmapper'],
  ['auth', 113, 0, 'authentication', 'tap', 'ident'],
  ['nntp', 119, 0, 'readnews', 'untp'],
  ['ntp', 0, 123],
  ['epmap', 135, 0, 'loc-srv'],
  ['netbios-ns', 0, 137],
  ['netbios-dgm', 0, 138],
  ['netbios-ssn', 139, 0],
  ['imap2', 143, 0, 'imap'],
  ['snmp', 161, 161],
  ['snmp-trap', 162, 162, 'snmptrap'],
  ['bgp', 179, 0],
  ['ldap', 389, 389],
  ['https', 443, 443],
  ['microsoft-ds', 445, 0],
  ['kpasswd', 464, 464],
  ['submissions', 465, 0, 'ssmtp', 'smtps', 'urd'],
  ['isakmp', 0, 500],
  ['exec', 512, 0],
  ['biff', 0, 512, 'comsat'],
  ['login', 513, 0],
  ['who', 0, 513, 'whod'],
  // 'syslog' is also an alias of shell/tcp, so it names 514 for both protocols.
  ['shell', 514, 0, 'cmd'],
  ['syslog', 514, 514],
  ['printer', 515, 0, 'spooler'],
  ['talk', 0, 517],
  ['ntalk', 0, 518],
  ['route', 0, 520, 'router', 'routed'],
  ['uucp', 540, 0, 'uucpd'],
  ['dhcpv6-client', 0, 546],
  ['dhcpv6-server', 0, 547],
  ['rtsp', 554, 554],
  ['submission', 587, 0],
  ['ipp', 631, 0],
  ['ldaps', 636, 636],
  ['domain-s', 853, 853],
  ['rsync', 873, 0],
  ['ftps-data', 989, 0],
  ['ftps', 990, 0],
  ['telnets', 992, 0],
  ['imaps', 993, 0],
  ['pop3s', 995, 0],
  ['socks', 1080, 0],
  ['openvpn', 1194, 1194],
  ['ms-sql-s', 1433, 0],
  ['ms-sql-m', 0, 1434],
  ['l2f', 0, 1701, 'l2tp'],
  ['radius', 1812, 1812],
  ['radius-acct', 1813, 1813, 'radacct'],
  ['nfs', 2049, 2049],
  ['mysql', 3306, 0],
  ['ms-wbt-server', 3389, 0],
  ['ipsec-nat-t', 0, 4500],
  ['sip', 5060, 5060],
  ['sip-tls', 5061, 5061],
  ['xmpp-client', 5222, 0, 'jabber-client'],
  ['xmpp-server', 5269, 0, 'jabber-server'],
  ['mdns', 0, 5353],
  ['postgresql', 5432, 0, 'postgres'],
  ['x11', 6000, 0, 'x11-0'],
  ['redis', 6379, 0],
  ['http-alt', 8080, 0, 'webcache'],
];

export const SERVICE_NAMES: ReadonlyMap<string, ServiceEntry> = (() => {
  const m = new Map<string, { tcp?: number; udp?: number }>();
  const add = (name: string, tcp: number, udp: number) => {
    const e = m.get(name) ?? {};
    if (tcp !== 0 && e.tcp === undefined) e.tcp = tcp;
    if (udp !== 0 && e.udp === undefined) e.udp = udp;
    m.set(name, e);
  };
  for (const [name, tcp, udp, ...aliases] of SERVICES) {
    add(name, tcp, udp);
    for (const a of aliases) add(a, tcp, udp);
  }
  return m;
})();

/** [name, number, alias] from /etc/protocols (what getprotobyname() finds). */
const PROTOCOLS: readonly (readonly [string, number, string])[] = [
  ['ip', 0, 'IP'],
  ['hopopt', 0, 'HOPOPT'],
  ['icmp', 1, 'ICMP'],
  ['igmp', 2, 'IGMP'],
  ['ggp', 3, 'GGP'],
  ['ipencap', 4, 'IP-ENCAP'],
  ['st', 5, 'ST'],
  ['tcp', 6, 'TCP'],
  ['egp', 8, 'EGP'],
  ['igp', 9, 'IGP'],
  ['pup', 12, 'PUP'],
  ['udp', 17, 'UDP'],
  ['hmp', 20, 'HMP'],
  ['xns-idp', 22, 'XNS-IDP'],
  ['rdp', 27, 'RDP'],
  ['iso-tp4', 29, 'ISO-TP4'],
  ['dccp', 33, 'DCCP'],
  ['xtp', 36, 'XTP'],
  ['ddp', 37, 'DDP'],
  ['idpr-cmtp', 38, 'IDPR-CMTP'],
  ['ipv6', 41, 'IPv6'],
  ['ipv6-route', 43, 'IPv6-Route'],
  ['ipv6-frag', 44, 'IPv6-Frag'],
  ['idrp', 45, 'IDRP'],
  ['rsvp', 46, 'RSVP'],
  ['gre', 47, 'GRE'],
  ['esp', 50, 'IPSEC-ESP'],
  ['ah', 51, 'IPSEC-AH'],
  ['skip', 57, 'SKIP'],
  ['ipv6-icmp', 58, 'IPv6-ICMP'],
  ['ipv6-nonxt', 59, 'IPv6-NoNxt'],
  ['ipv6-opts', 60, 'IPv6-Opts'],
  ['rspf', 73, 'RSPF'],
  ['vmtp', 81, 'VMTP'],
  ['eigrp', 88, 'EIGRP'],
  ['ospf', 89, 'OSPFIGP'],
  ['ax.25', 93, 'AX.25'],
  ['ipip', 94, 'IPIP'],
  ['etherip', 97, 'ETHERIP'],
  ['encap', 98, 'ENCAP'],
  ['pim', 103, 'PIM'],
  ['ipcomp', 108, 'IPCOMP'],
  ['vrrp', 112, 'VRRP'],
  ['l2tp', 115, 'L2TP'],
  ['isis', 124, 'ISIS'],
  ['sctp', 132, 'SCTP'],
  ['fc', 133, 'FC'],
  ['mobility-header', 135, 'Mobility-Header'],
  ['udplite', 136, 'UDPLite'],
  ['mpls-in-ip', 137, 'MPLS-in-IP'],
  ['manet', 138, ''],
  ['hip', 139, 'HIP'],
  ['shim6', 140, 'Shim6'],
  ['wesp', 141, 'WESP'],
  ['rohc', 142, 'ROHC'],
  ['ethernet', 143, 'Ethernet'],
];

export const PROTOCOL_NAMES: ReadonlyMap<string, number> = (() => {
  const m = new Map<string, number>();
  for (const [name, n, alias] of PROTOCOLS) {
    if (!m.has(name)) m.set(name, n);
    if (alias !== '' && !m.has(alias)) m.set(alias, n);
  }
  return m;
})();

/** libpcap's built-in EtherType names (`ether proto \arp`). */
export const ETHER_PROTO_NAMES: ReadonlyMap<string, number> = new Map([
  ['aarp', 0x80f3],
  ['arp', 0x0806],
  ['atalk', 0x809b],
  ['decnet', 0x6003],
  ['ip', 0x0800],
  ['ip6', 0x86dd],
  ['lat', 0x6004],
  ['loopback', 0x9000],
  ['mopdl', 0x6001],
  ['moprc', 0x6002],
  ['rarp', 0x8035],
  ['sca', 0x6007],
]);

/** libpcap's built-in 802.2 LLC SAP names, tried after the EtherType names. */
export const LLC_SAP_NAMES: ReadonlyMap<string, number> = new Map([
  ['iso', 0xfe],
  ['stp', 0x42],
  ['ipx', 0xe0],
  ['netbeui', 0xf0],
]);

/** Link-layer protocol values with special (multi-encapsulation) meanings in libpcap that wirelens does not implement. */
export const UNSUPPORTED_LINK_PROTOS: ReadonlyMap<number, string> = new Map([
  [0xe0, 'IPX'],
  [0x809b, 'AppleTalk'],
  [0x80f3, 'AppleTalk ARP'],
]);
