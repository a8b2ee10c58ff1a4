/**
 * The address registry as data: every entry of the IANA IPv4 and IPv6 Special-Purpose Address
 * Registries (RFC 6890, RFC 8190), plus the blocks a reader of captures also needs that those
 * registries leave out (multicast, with its well-known sub-blocks and a few well-known groups;
 * global unicast; the IETF-reserved rest of the IPv6 space; deprecated IPv6 forms).
 *
 * Edition used: both special-purpose registries as last updated by IANA on 2025-10-09
 * (IPv4: 25 records, IPv6: 25 records). Checked against stored copies of the registries'
 * CSV exports and XML; see `REGISTRY_SOURCES`. To update: re-read both registries, diff against
 * the entries below (order and wording follow the registry), change `REGISTRY_EDITION`, and add
 * the new prefixes to the table-driven test (it runs over this file, so a new entry is tested
 * as soon as it is added here).
 *
 * Attribute columns are kept as IANA writes them: `true`, `false`, `'n/a'` (the registry says
 * N/A) or `'blank'` (the registry leaves the cell empty: terminated allocations). Footnote marks
 * keep their registry number and the cells they sit on. Entries that do not come from the
 * special-purpose registries say where they come from (`origin`); their attributes are
 * wirelens's reading of the cited RFCs, explained in `note`.
 *
 * No code here: `classify.ts` builds the lookup structures from this table once, at load.
 */

/** A registry cell: IANA's True / False / N/A, or an empty cell (terminated allocation). */
export type Flag = true | false | 'n/a' | 'blank';

/** The five boolean columns of RFC 6890 section 2.2.2, in registry order. */
export interface Attributes {
  /** Valid as the source of a datagram that transits two devices. */
  readonly source: Flag;
  /** Valid as the destination of a datagram that transits two devices. */
  readonly destination: Flag;
  /** A router may forward a datagram with this destination between external interfaces. */
  readonly forwardable: Flag;
  /** Forwardable beyond a specified administrative domain. */
  readonly globallyReachable: Flag;
  /** IP itself reserves the block: every compliant implementation treats it specially. */
  readonly reservedByProtocol: Flag;
}

export type AttributeName = keyof Attributes;

/** A registry footnote, with the cells it is attached to (`address` = the Address Block cell). */
export interface Footnote {
  readonly mark: number;
  readonly cells: readonly (AttributeName | 'address')[];
  readonly text: string;
}

/**
 * Short tag for inline display. One vocabulary for both families: `private` is RFC 1918 and
 * fc00::/7 (the entry name says "Unique-Local"), `unspecified` is 0.0.0.0/32 and ::/128.
 */
export type AddressTag =
  | 'public'
  | 'private'
  | 'CGNAT'
  | 'loopback'
  | 'link-local'
  | 'doc'
  | 'benchmark'
  | 'multicast'
  | 'broadcast'
  | 'unspecified'
  | 'this-network'
  | 'reserved'
  | '6to4'
  | 'teredo'
  | 'nat64'
  | 'ipv4-mapped'
  | 'ipv4-compat'
  | 'orchid'
  | 'det'
  | 'anycast'
  | 'ds-lite'
  | 'dummy'
  | 'discard'
  | 'srv6';

/** Every tag, in display order (for documentation, tests and completion). */
export const ADDRESS_TAGS: readonly AddressTag[] = [
  'public',
  'private',
  'CGNAT',
  'loopback',
  'link-local',
  'doc',
  'benchmark',
  'multicast',
  'broadcast',
  'unspecified',
  'this-network',
  'reserved',
  '6to4',
  'teredo',
  'nat64',
  'ipv4-mapped',
  'ipv4-compat',
  'orchid',
  'det',
  'anycast',
  'ds-lite',
  'dummy',
  'discard',
  'srv6',
];

/** Where an entry comes from. */
export type Origin =
  | 'iana-ipv4-special'
  | 'iana-ipv6-special'
  | 'iana-ipv4-multicast'
  | 'iana-ipv6-multicast'
  | 'iana-ipv6-space'
  | 'rfc';

/** How an IPv6 entry carries an IPv4 address, unwrapped by `classify.ts`. */
export type EmbedKind =
  /** ::ffff:0:0/96, IPv4 at bits 96-127 (RFC 4291 section 2.5.5.2). */
  | 'ipv4-mapped'
  /** ::/96 (deprecated), IPv4 at bits 96-127 (RFC 4291 section 2.5.5.1). */
  | 'ipv4-compat'
  /** 64:ff9b::/96, IPv4 at bits 96-127 (RFC 6052 section 2.2, /96 layout). */
  | 'nat64-wkp'
  /**
   * 64:ff9b:1::/48 (RFC 8215). The operator picks the translation prefix length inside the /48
   * (RFC 6052 allows /32 to /96), which the address alone cannot reveal; wirelens reads the
   * RFC 6052 /96 layout, IPv4 at bits 96-127, and says so (`assumed` in the classification).
   */
  | 'nat64-local'
  /** 2002::/16, IPv4 at bits 16-47 (RFC 3056 section 2). */
  | '6to4'
  /**
   * 2001::/32 (RFC 4380 section 4): server IPv4 at bits 32-63, flags 64-79, client port at
   * bits 80-95 xor 0xffff, client IPv4 at bits 96-127 xor 0xffffffff.
   */
  | 'teredo';

/**
 * Multicast scope. IPv6 scopes are the RFC 7346 names of the scop nibble. IPv4 has no scope
 * field: `link-local` is 224.0.0.0/24 (RFC 5771), `local` the IPv4 Local Scope 239.255.0.0/16
 * and `organization-local` 239.192.0.0/14 (RFC 2365 section 6), `admin-scoped` the rest of
 * 239.0.0.0/8, and everything else in 224.0.0.0/4 is `global`.
 */
export type MulticastScope =
  | 'interface-local'
  | 'link-local'
  | 'realm-local'
  | 'admin-local'
  | 'site-local'
  | 'organization-local'
  | 'global'
  | 'reserved'
  | 'unassigned'
  | 'local'
  | 'admin-scoped';

export interface RegistryEntry {
  readonly family: 4 | 6;
  /**
   * CIDR prefixes, or (IPv4 only, as the multicast registry writes blocks) `first-last` ranges
   * that `classify.ts` splits into prefixes. Most entries have one.
   */
  readonly prefixes: readonly string[];
  readonly name: string;
  readonly tag: AddressTag;
  /** References as the registry gives them. */
  readonly rfcs: readonly string[];
  readonly origin: Origin;
  /** Allocation date, YYYY-MM. */
  readonly allocated?: string;
  /** Termination date, YYYY-MM (only for terminated allocations). */
  readonly terminated?: string;
  /** Absent: inherited from the most specific enclosing entry (multicast sub-blocks and groups). */
  readonly attrs?: Attributes;
  readonly footnotes?: readonly Footnote[];
  /** Why an entry outside the special-purpose registries has the attributes it has, or other context. */
  readonly note?: string;
  readonly embed?: EmbedKind;
  /** Link-scoped: routers never forward traffic from or to it (inherited like attrs). */
  readonly linkLocal?: true;
  /**
   * Only valid as a source while a host learns its own address (RFC 1122 section 3.2.1.3,
   * RFC 4291 section 2.5.2): DHCP, IGMP, neighbour discovery, MLD.
   */
  readonly initOnlySource?: true;
  /** IPv4 multicast scope (inherited); IPv6 scope is read from the address. */
  readonly scope?: MulticastScope;
  /** A single well-known multicast group rather than a block. */
  readonly group?: true;
}

/** Registry edition: the IANA "Last Updated" date of both special-purpose registries used here. */
export const REGISTRY_EDITION = '2025-10-09';

export interface RegistrySource {
  readonly title: string;
  readonly url: string;
  /** IANA "Last Updated" of the edition used. */
  readonly updated: string;
}

export const REGISTRY_SOURCES: Readonly<Record<Exclude<Origin, 'rfc'>, RegistrySource>> = {
  'iana-ipv4-special': {
    title: 'IANA IPv4 Special-Purpose Address Registry',
    url: 'https://www.iana.org/assignments/iana-ipv4-special-registry/',
    updated: '2025-10-09',
  },
  'iana-ipv6-special': {
    title: 'IANA IPv6 Special-Purpose Address Registry',
    url: 'https://www.iana.org/assignments/iana-ipv6-special-registry/',
    updated: '2025-10-09',
  },
  'iana-ipv4-multicast': {
    title: 'IPv4 Multicast Address Space Registry',
    url: 'https://www.iana.org/assignments/multicast-addresses/',
    updated: '2026-06-26',
  },
  'iana-ipv6-multicast': {
    title: 'IPv6 Multicast Address Space Registry',
    url: 'https://www.iana.org/assignments/ipv6-multicast-addresses/',
    updated: '2026-04-07',
  },
  'iana-ipv6-space': {
    title: 'Internet Protocol Version 6 Address Space',
    url: 'https://www.iana.org/assignments/ipv6-address-space/',
    updated: '2025-10-23',
  },
};

/**
 * The five columns as a compact string in registry order (Source, Destination, Forwardable,
 * Globally Reachable, Reserved-by-Protocol): `T` True, `F` False, `N` N/A, `-` empty cell.
 */
function cols(s: string): Attributes {
  const flag = (c: string | undefined): Flag => {
    switch (c) {
      case 'T':
        return true;
      case 'F':
        return false;
      case 'N':
        return 'n/a';
      case '-':
        return 'blank';
      default:
        throw new Error(`registry-data: bad attribute column '${c}' in '${s}'`);
    }
  };
  if (s.length !== 5) throw new Error(`registry-data: need 5 attribute columns, got '${s}'`);
  return Object.freeze({
    source: flag(s[0]),
    destination: flag(s[1]),
    forwardable: flag(s[2]),
    globallyReachable: flag(s[3]),
    reservedByProtocol: flag(s[4]),
  });
}

const FOUR_POLICY_CELLS: readonly AttributeName[] = [
  'source',
  'destination',
  'forwardable',
  'globallyReachable',
];

// ---------------------------------------------------------------------------------------------
// IANA IPv4 Special-Purpose Address Registry, all 25 records, registry order.
// ---------------------------------------------------------------------------------------------

const IPV4_SPECIAL: readonly RegistryEntry[] = [
  {
    family: 4,
    prefixes: ['0.0.0.0/8'],
    name: '"This network"',
    tag: 'this-network',
    rfcs: ['RFC 791 Section 3.2'],
    origin: 'iana-ipv4-special',
    allocated: '1981-09',
    attrs: cols('TFFFT'),
    initOnlySource: true,
  },
  {
    family: 4,
    prefixes: ['0.0.0.0/32'],
    name: '"This host on this network"',
    tag: 'unspecified',
    rfcs: ['RFC 1122 Section 3.2.1.3'],
    origin: 'iana-ipv4-special',
    allocated: '1981-09',
    attrs: cols('TFFFT'),
    initOnlySource: true,
  },
  {
    family: 4,
    prefixes: ['10.0.0.0/8'],
    name: 'Private-Use',
    tag: 'private',
    rfcs: ['RFC 1918'],
    origin: 'iana-ipv4-special',
    allocated: '1996-02',
    attrs: cols('TTTFF'),
  },
  {
    family: 4,
    prefixes: ['100.64.0.0/10'],
    name: 'Shared Address Space',
    tag: 'CGNAT',
    rfcs: ['RFC 6598'],
    origin: 'iana-ipv4-special',
    allocated: '2012-04',
    attrs: cols('TTTFF'),
  },
  {
    family: 4,
    prefixes: ['127.0.0.0/8'],
    name: 'Loopback',
    tag: 'loopback',
    rfcs: ['RFC 1122 Section 3.2.1.3'],
    origin: 'iana-ipv4-special',
    allocated: '1981-09',
    attrs: cols('FFFFT'),
    footnotes: [
      {
        mark: 1,
        cells: FOUR_POLICY_CELLS,
        text: 'Several protocols have been granted exceptions to this rule. For examples, see RFC 8029 and RFC 5884.',
      },
    ],
  },
  {
    family: 4,
    prefixes: ['169.254.0.0/16'],
    name: 'Link Local',
    tag: 'link-local',
    rfcs: ['RFC 3927'],
    origin: 'iana-ipv4-special',
    allocated: '2005-05',
    attrs: cols('TTFFT'),
    linkLocal: true,
  },
  {
    family: 4,
    prefixes: ['172.16.0.0/12'],
    name: 'Private-Use',
    tag: 'private',
    rfcs: ['RFC 1918'],
    origin: 'iana-ipv4-special',
    allocated: '1996-02',
    attrs: cols('TTTFF'),
  },
  {
    family: 4,
    prefixes: ['192.0.0.0/24'],
    name: 'IETF Protocol Assignments',
    tag: 'reserved',
    rfcs: ['RFC 6890 Section 2.1'],
    origin: 'iana-ipv4-special',
    allocated: '2010-01',
    attrs: cols('FFFFF'),
    footnotes: [
      { mark: 2, cells: ['address'], text: 'Not useable unless by virtue of a more specific reservation.' },
    ],
  },
  {
    family: 4,
    prefixes: ['192.0.0.0/29'],
    name: 'IPv4 Service Continuity Prefix',
    tag: 'ds-lite',
    rfcs: ['RFC 7335'],
    origin: 'iana-ipv4-special',
    allocated: '2011-06',
    attrs: cols('TTTFF'),
  },
  {
    family: 4,
    prefixes: ['192.0.0.8/32'],
    name: 'IPv4 dummy address',
    tag: 'dummy',
    rfcs: ['RFC 7600'],
    origin: 'iana-ipv4-special',
    allocated: '2015-03',
    attrs: cols('TFFFF'),
  },
  {
    family: 4,
    prefixes: ['192.0.0.9/32'],
    name: 'Port Control Protocol Anycast',
    tag: 'anycast',
    rfcs: ['RFC 7723'],
    origin: 'iana-ipv4-special',
    allocated: '2015-10',
    attrs: cols('TTTTF'),
  },
  {
    family: 4,
    prefixes: ['192.0.0.10/32'],
    name: 'Traversal Using Relays around NAT Anycast',
    tag: 'anycast',
    rfcs: ['RFC 8155'],
    origin: 'iana-ipv4-special',
    allocated: '2017-02',
    attrs: cols('TTTTF'),
  },
  {
    family: 4,
    prefixes: ['192.0.0.170/32', '192.0.0.171/32'],
    name: 'NAT64/DNS64 Discovery',
    tag: 'nat64',
    rfcs: ['RFC 8880', 'RFC 7050 Section 2.2'],
    origin: 'iana-ipv4-special',
    allocated: '2013-02',
    attrs: cols('FFFFT'),
    note: 'The IPv4 addresses of ipv4only.arpa: a DNS64 synthesises AAAA records from them.',
  },
  {
    family: 4,
    prefixes: ['192.0.2.0/24'],
    name: 'Documentation (TEST-NET-1)',
    tag: 'doc',
    rfcs: ['RFC 5737'],
    origin: 'iana-ipv4-special',
    allocated: '2010-01',
    attrs: cols('FFFFF'),
  },
  {
    family: 4,
    prefixes: ['192.31.196.0/24'],
    name: 'AS112-v4',
    tag: 'anycast',
    rfcs: ['RFC 7535'],
    origin: 'iana-ipv4-special',
    allocated: '2014-12',
    attrs: cols('TTTTF'),
  },
  {
    family: 4,
    prefixes: ['192.52.193.0/24'],
    name: 'AMT',
    tag: 'anycast',
    rfcs: ['RFC 7450'],
    origin: 'iana-ipv4-special',
    allocated: '2014-12',
    attrs: cols('TTTTF'),
  },
  {
    family: 4,
    prefixes: ['192.88.99.0/24'],
    name: 'Deprecated (6to4 Relay Anycast)',
    tag: '6to4',
    rfcs: ['RFC 7526'],
    origin: 'iana-ipv4-special',
    allocated: '2001-06',
    terminated: '2015-03',
    attrs: cols('-----'),
  },
  {
    family: 4,
    prefixes: ['192.88.99.2/32'],
    name: '6a44-relay anycast address',
    tag: 'anycast',
    rfcs: ['RFC 6751'],
    origin: 'iana-ipv4-special',
    allocated: '2012-10',
    attrs: cols('TTTFF'),
  },
  {
    family: 4,
    prefixes: ['192.168.0.0/16'],
    name: 'Private-Use',
    tag: 'private',
    rfcs: ['RFC 1918'],
    origin: 'iana-ipv4-special',
    allocated: '1996-02',
    attrs: cols('TTTFF'),
  },
  {
    family: 4,
    prefixes: ['192.175.48.0/24'],
    name: 'Direct Delegation AS112 Service',
    tag: 'anycast',
    rfcs: ['RFC 7534'],
    origin: 'iana-ipv4-special',
    allocated: '1996-01',
    attrs: cols('TTTTF'),
  },
  {
    family: 4,
    prefixes: ['198.18.0.0/15'],
    name: 'Benchmarking',
    tag: 'benchmark',
    rfcs: ['RFC 2544'],
    origin: 'iana-ipv4-special',
    allocated: '1999-03',
    attrs: cols('TTTFF'),
  },
  {
    family: 4,
    prefixes: ['198.51.100.0/24'],
    name: 'Documentation (TEST-NET-2)',
    tag: 'doc',
    rfcs: ['RFC 5737'],
    origin: 'iana-ipv4-special',
    allocated: '2010-01',
    attrs: cols('FFFFF'),
  },
  {
    family: 4,
    prefixes: ['203.0.113.0/24'],
    name: 'Documentation (TEST-NET-3)',
    tag: 'doc',
    rfcs: ['RFC 5737'],
    origin: 'iana-ipv4-special',
    allocated: '2010-01',
    attrs: cols('FFFFF'),
  },
  {
    family: 4,
    prefixes: ['240.0.0.0/4'],
    name: 'Reserved',
    tag: 'reserved',
    rfcs: ['RFC 1112 Section 4'],
    origin: 'iana-ipv4-special',
    allocated: '1989-08',
    attrs: cols('FFFFT'),
    note: 'Formerly "Class E": reserved for future use and never assigned.',
  },
  {
    family: 4,
    prefixes: ['255.255.255.255/32'],
    name: 'Limited Broadcast',
    tag: 'broadcast',
    rfcs: ['RFC 8190', 'RFC 919 Section 7'],
    origin: 'iana-ipv4-special',
    allocated: '1984-10',
    attrs: cols('FTFFT'),
  },
];

// ---------------------------------------------------------------------------------------------
// IPv4 entries outside the special-purpose registry.
// ---------------------------------------------------------------------------------------------

const IPV4_OTHER: readonly RegistryEntry[] = [
  {
    family: 4,
    prefixes: ['0.0.0.0/0'],
    name: 'Global unicast',
    tag: 'public',
    rfcs: ['RFC 791'],
    origin: 'rfc',
    attrs: cols('TTTTF'),
    note: 'No special-purpose entry covers this address: ordinary globally routable unicast.',
  },
  // Multicast, IPv4 Multicast Address Space Registry (RFC 5771). Blocks as IANA lists them.
  {
    family: 4,
    prefixes: ['224.0.0.0/4'],
    name: 'Multicast',
    tag: 'multicast',
    rfcs: ['RFC 5771', 'RFC 1112'],
    origin: 'iana-ipv4-multicast',
    attrs: cols('FTTTT'),
    scope: 'global',
    note:
      'Formerly "Class D". Not in the special-purpose registry; attributes follow RFC 1812 ' +
      'section 5.3.7 (a source is always unicast) and the scope of each block.',
  },
  {
    family: 4,
    prefixes: ['224.0.0.0/24'],
    name: 'Local Network Control Block',
    tag: 'multicast',
    rfcs: ['RFC 5771'],
    origin: 'iana-ipv4-multicast',
    attrs: cols('FTFFT'),
    scope: 'link-local',
    linkLocal: true,
    note: 'Control traffic that is never forwarded off the link (RFC 5771 section 4).',
  },
  {
    family: 4,
    prefixes: ['224.0.1.0/24'],
    name: 'Internetwork Control Block',
    tag: 'multicast',
    rfcs: ['RFC 5771'],
    origin: 'iana-ipv4-multicast',
  },
  {
    family: 4,
    prefixes: ['224.0.2.0-224.0.255.255'],
    name: 'AD-HOC Block I',
    tag: 'multicast',
    rfcs: ['RFC 5771'],
    origin: 'iana-ipv4-multicast',
  },
  {
    family: 4,
    prefixes: ['224.1.0.0/16'],
    name: 'Reserved (multicast)',
    tag: 'multicast',
    rfcs: ['RFC 5771'],
    origin: 'iana-ipv4-multicast',
  },
  {
    family: 4,
    prefixes: ['224.2.0.0/16'],
    name: 'SDP/SAP Block',
    tag: 'multicast',
    rfcs: ['RFC 5771'],
    origin: 'iana-ipv4-multicast',
  },
  {
    family: 4,
    prefixes: ['224.3.0.0/16', '224.4.0.0/16'],
    name: 'AD-HOC Block II',
    tag: 'multicast',
    rfcs: ['RFC 5771'],
    origin: 'iana-ipv4-multicast',
  },
  {
    family: 4,
    prefixes: ['224.5.0.0-224.251.255.255'],
    name: 'Reserved (multicast)',
    tag: 'multicast',
    rfcs: ['RFC 5771'],
    origin: 'iana-ipv4-multicast',
  },
  {
    family: 4,
    prefixes: ['224.252.0.0/14'],
    name: 'DIS Transient Groups',
    tag: 'multicast',
    rfcs: ['RFC 2365'],
    origin: 'iana-ipv4-multicast',
  },
  {
    family: 4,
    prefixes: ['225.0.0.0-231.255.255.255'],
    name: 'Reserved (multicast)',
    tag: 'multicast',
    rfcs: ['RFC 5771'],
    origin: 'iana-ipv4-multicast',
  },
  {
    family: 4,
    prefixes: ['232.0.0.0/8'],
    name: 'Source-Specific Multicast Block',
    tag: 'multicast',
    rfcs: ['RFC 5771', 'RFC 4607'],
    origin: 'iana-ipv4-multicast',
  },
  {
    family: 4,
    prefixes: ['233.0.0.0-233.251.255.255'],
    name: 'GLOP Block',
    tag: 'multicast',
    rfcs: ['RFC 3180'],
    origin: 'iana-ipv4-multicast',
  },
  {
    family: 4,
    prefixes: ['233.252.0.0/14'],
    name: 'AD-HOC Block III',
    tag: 'multicast',
    rfcs: ['RFC 5771'],
    origin: 'iana-ipv4-multicast',
  },
  {
    family: 4,
    prefixes: ['233.252.0.0/24'],
    name: 'MCAST-TEST-NET',
    tag: 'doc',
    rfcs: ['RFC 5771', 'RFC 6676'],
    origin: 'iana-ipv4-multicast',
    note: 'Multicast addresses for documentation (RFC 6676).',
  },
  {
    family: 4,
    prefixes: ['234.0.0.0/8'],
    name: 'Unicast-Prefix-based IPv4 Multicast Addresses',
    tag: 'multicast',
    rfcs: ['RFC 6034'],
    origin: 'iana-ipv4-multicast',
  },
  {
    family: 4,
    prefixes: ['235.0.0.0-238.255.255.255'],
    name: 'Reserved (multicast)',
    tag: 'multicast',
    rfcs: ['RFC 5771'],
    origin: 'iana-ipv4-multicast',
  },
  {
    family: 4,
    prefixes: ['239.0.0.0/8'],
    name: 'Administratively Scoped',
    tag: 'multicast',
    rfcs: ['RFC 2365'],
    origin: 'iana-ipv4-multicast',
    attrs: cols('FTTFT'),
    scope: 'admin-scoped',
    note:
      'IANA lists 239.0.0.0/8 as "Organization-Local Scope"; RFC 2365 divides it, and routers ' +
      'at the scope boundary do not forward it.',
  },
  {
    family: 4,
    prefixes: ['239.192.0.0/14'],
    name: 'IPv4 Organization Local Scope',
    tag: 'multicast',
    rfcs: ['RFC 2365 Section 6.2'],
    origin: 'rfc',
    scope: 'organization-local',
  },
  {
    family: 4,
    prefixes: ['239.255.0.0/16'],
    name: 'IPv4 Local Scope',
    tag: 'multicast',
    rfcs: ['RFC 2365 Section 6.1'],
    origin: 'rfc',
    scope: 'local',
  },
  // A few well-known groups (IANA multicast registry), so captures name what they see.
  ...(
    [
      ['224.0.0.1', 'All Systems on this Subnet', ['RFC 1112']],
      ['224.0.0.2', 'All Routers on this Subnet', []],
      ['224.0.0.5', 'OSPFIGP All Routers', ['RFC 2328']],
      ['224.0.0.6', 'OSPFIGP Designated Routers', ['RFC 2328']],
      ['224.0.0.9', 'RIP2 Routers', ['RFC 1723']],
      ['224.0.0.13', 'All PIM Routers', []],
      ['224.0.0.18', 'VRRP', ['RFC 3768', 'RFC 9568']],
      ['224.0.0.22', 'IGMP', []],
      ['224.0.0.251', 'mDNS', ['RFC 6762']],
      ['224.0.0.252', 'Link-local Multicast Name Resolution', ['RFC 4795']],
      ['224.0.1.1', 'NTP Network Time Protocol', ['RFC 5905']],
      ['239.255.255.250', 'SSDP', []],
    ] as const
  ).map(
    ([addr, name, rfcs]): RegistryEntry => ({
      family: 4,
      prefixes: [`${addr}/32`],
      name,
      tag: 'multicast',
      rfcs,
      origin: 'iana-ipv4-multicast',
      group: true,
    }),
  ),
];

// ---------------------------------------------------------------------------------------------
// IANA IPv6 Special-Purpose Address Registry, all 25 records, registry order.
// ---------------------------------------------------------------------------------------------

const IPV6_SPECIAL: readonly RegistryEntry[] = [
  {
    family: 6,
    prefixes: ['::1/128'],
    name: 'Loopback Address',
    tag: 'loopback',
    rfcs: ['RFC 4291'],
    origin: 'iana-ipv6-special',
    allocated: '2006-02',
    attrs: cols('FFFFT'),
  },
  {
    family: 6,
    prefixes: ['::/128'],
    name: 'Unspecified Address',
    tag: 'unspecified',
    rfcs: ['RFC 4291'],
    origin: 'iana-ipv6-special',
    allocated: '2006-02',
    attrs: cols('TFFFT'),
    initOnlySource: true,
  },
  {
    family: 6,
    prefixes: ['::ffff:0:0/96'],
    name: 'IPv4-mapped Address',
    tag: 'ipv4-mapped',
    rfcs: ['RFC 4291'],
    origin: 'iana-ipv6-special',
    allocated: '2006-02',
    attrs: cols('FFFFT'),
    embed: 'ipv4-mapped',
    note: 'An IPv4 address inside an IPv6 socket API; never valid in an IPv6 header on the wire.',
  },
  {
    family: 6,
    prefixes: ['64:ff9b::/96'],
    name: 'IPv4-IPv6 Translat.',
    tag: 'nat64',
    rfcs: ['RFC 6052'],
    origin: 'iana-ipv6-special',
    allocated: '2010-10',
    attrs: cols('TTTTF'),
    embed: 'nat64-wkp',
    note: 'The NAT64 Well-Known Prefix.',
  },
  {
    family: 6,
    prefixes: ['64:ff9b:1::/48'],
    name: 'IPv4-IPv6 Translat.',
    tag: 'nat64',
    rfcs: ['RFC 8215'],
    origin: 'iana-ipv6-special',
    allocated: '2017-06',
    attrs: cols('TTTFF'),
    embed: 'nat64-local',
    note: 'Local-use translation prefix.',
  },
  {
    family: 6,
    prefixes: ['100::/64'],
    name: 'Discard-Only Address Block',
    tag: 'discard',
    rfcs: ['RFC 6666'],
    origin: 'iana-ipv6-special',
    allocated: '2012-06',
    attrs: cols('TTTFF'),
  },
  {
    family: 6,
    prefixes: ['100:0:0:1::/64'],
    name: 'Dummy IPv6 Prefix',
    tag: 'dummy',
    rfcs: ['RFC 9780'],
    origin: 'iana-ipv6-special',
    allocated: '2025-04',
    attrs: cols('TFFFF'),
  },
  {
    family: 6,
    prefixes: ['2001::/23'],
    name: 'IETF Protocol Assignments',
    tag: 'reserved',
    rfcs: ['RFC 2928'],
    origin: 'iana-ipv6-special',
    allocated: '2000-09',
    attrs: cols('FFFFF'),
    footnotes: [{ mark: 1, cells: FOUR_POLICY_CELLS, text: 'Unless allowed by a more specific allocation.' }],
  },
  {
    family: 6,
    prefixes: ['2001::/32'],
    name: 'TEREDO',
    tag: 'teredo',
    rfcs: ['RFC 4380', 'RFC 8190'],
    origin: 'iana-ipv6-special',
    allocated: '2006-01',
    attrs: cols('TTTNF'),
    footnotes: [{ mark: 2, cells: ['globallyReachable'], text: 'See Section 5 of RFC 4380 for details.' }],
    embed: 'teredo',
  },
  {
    family: 6,
    prefixes: ['2001:1::1/128'],
    name: 'Port Control Protocol Anycast',
    tag: 'anycast',
    rfcs: ['RFC 7723'],
    origin: 'iana-ipv6-special',
    allocated: '2015-10',
    attrs: cols('TTTTF'),
  },
  {
    family: 6,
    prefixes: ['2001:1::2/128'],
    name: 'Traversal Using Relays around NAT Anycast',
    tag: 'anycast',
    rfcs: ['RFC 8155'],
    origin: 'iana-ipv6-special',
    allocated: '2017-02',
    attrs: cols('TTTTF'),
  },
  {
    family: 6,
    prefixes: ['2001:1::3/128'],
    name: 'DNS-SD Service Registration Protocol Anycast',
    tag: 'anycast',
    rfcs: ['RFC 9665'],
    origin: 'iana-ipv6-special',
    allocated: '2024-04',
    attrs: cols('TTTTF'),
  },
  {
    family: 6,
    prefixes: ['2001:2::/48'],
    name: 'Benchmarking',
    tag: 'benchmark',
    rfcs: ['RFC 5180', 'RFC Errata 1752'],
    origin: 'iana-ipv6-special',
    allocated: '2008-04',
    attrs: cols('TTTFF'),
  },
  {
    family: 6,
    prefixes: ['2001:3::/32'],
    name: 'AMT',
    tag: 'anycast',
    rfcs: ['RFC 7450'],
    origin: 'iana-ipv6-special',
    allocated: '2014-12',
    attrs: cols('TTTTF'),
  },
  {
    family: 6,
    prefixes: ['2001:4:112::/48'],
    name: 'AS112-v6',
    tag: 'anycast',
    rfcs: ['RFC 7535'],
    origin: 'iana-ipv6-special',
    allocated: '2014-12',
    attrs: cols('TTTTF'),
  },
  {
    family: 6,
    prefixes: ['2001:10::/28'],
    name: 'Deprecated (previously ORCHID)',
    tag: 'orchid',
    rfcs: ['RFC 4843'],
    origin: 'iana-ipv6-special',
    allocated: '2007-03',
    terminated: '2014-03',
    attrs: cols('-----'),
  },
  {
    family: 6,
    prefixes: ['2001:20::/28'],
    name: 'ORCHIDv2',
    tag: 'orchid',
    rfcs: ['RFC 7343'],
    origin: 'iana-ipv6-special',
    allocated: '2014-07',
    attrs: cols('TTTTF'),
  },
  {
    family: 6,
    prefixes: ['2001:30::/28'],
    name: 'Drone Remote ID Protocol Entity Tags (DETs) Prefix',
    tag: 'det',
    rfcs: ['RFC 9374'],
    origin: 'iana-ipv6-special',
    allocated: '2022-12',
    attrs: cols('TTTTF'),
  },
  {
    family: 6,
    prefixes: ['2001:db8::/32'],
    name: 'Documentation',
    tag: 'doc',
    rfcs: ['RFC 3849'],
    origin: 'iana-ipv6-special',
    allocated: '2004-07',
    attrs: cols('FFFFF'),
  },
  {
    family: 6,
    prefixes: ['2002::/16'],
    name: '6to4',
    tag: '6to4',
    rfcs: ['RFC 3056'],
    origin: 'iana-ipv6-special',
    allocated: '2001-02',
    attrs: cols('TTTNF'),
    footnotes: [{ mark: 3, cells: ['address', 'globallyReachable'], text: 'See RFC 3056 for details.' }],
    embed: '6to4',
  },
  {
    family: 6,
    prefixes: ['2620:4f:8000::/48'],
    name: 'Direct Delegation AS112 Service',
    tag: 'anycast',
    rfcs: ['RFC 7534'],
    origin: 'iana-ipv6-special',
    allocated: '2011-05',
    attrs: cols('TTTTF'),
  },
  {
    family: 6,
    prefixes: ['3fff::/20'],
    name: 'Documentation',
    tag: 'doc',
    rfcs: ['RFC 9637'],
    origin: 'iana-ipv6-special',
    allocated: '2024-07',
    attrs: cols('FFFFF'),
  },
  {
    family: 6,
    prefixes: ['5f00::/16'],
    name: 'Segment Routing (SRv6) SIDs',
    tag: 'srv6',
    rfcs: ['RFC 9602'],
    origin: 'iana-ipv6-special',
    allocated: '2024-04',
    attrs: cols('TTTFF'),
  },
  {
    family: 6,
    prefixes: ['fc00::/7'],
    name: 'Unique-Local',
    tag: 'private',
    rfcs: ['RFC 4193', 'RFC 8190'],
    origin: 'iana-ipv6-special',
    allocated: '2005-10',
    attrs: cols('TTTFF'),
    footnotes: [
      {
        mark: 4,
        cells: ['globallyReachable'],
        text:
          'See RFC 4193 for more details on the routability of Unique-Local addresses. The ' +
          'Unique-Local prefix is drawn from the IPv6 Global Unicast Address range, but is ' +
          'specified as not globally routed.',
      },
    ],
  },
  {
    family: 6,
    prefixes: ['fe80::/10'],
    name: 'Link-Local Unicast',
    tag: 'link-local',
    rfcs: ['RFC 4291'],
    origin: 'iana-ipv6-special',
    allocated: '2006-02',
    attrs: cols('TTFFT'),
    linkLocal: true,
  },
];

// ---------------------------------------------------------------------------------------------
// IPv6 entries outside the special-purpose registry.
// ---------------------------------------------------------------------------------------------

const IPV6_OTHER: readonly RegistryEntry[] = [
  {
    family: 6,
    prefixes: ['::/0'],
    name: 'Reserved by IETF',
    tag: 'reserved',
    rfcs: ['RFC 4291'],
    origin: 'iana-ipv6-space',
    attrs: cols('FFFFF'),
    note:
      'Outside 2000::/3 and every special-purpose block: not assigned for use, so wirelens ' +
      'treats it as valid neither as a source nor as a destination.',
  },
  {
    family: 6,
    prefixes: ['2000::/3'],
    name: 'Global Unicast',
    tag: 'public',
    rfcs: ['RFC 4291'],
    origin: 'iana-ipv6-space',
    attrs: cols('TTTTF'),
    note: 'No special-purpose entry covers this address: ordinary globally routable unicast.',
  },
  {
    family: 6,
    prefixes: ['::/96'],
    name: 'IPv4-Compatible IPv6 Address (deprecated)',
    tag: 'ipv4-compat',
    rfcs: ['RFC 4291 Section 2.5.5.1'],
    origin: 'rfc',
    attrs: cols('FFFFF'),
    embed: 'ipv4-compat',
    note: 'Deprecated by RFC 4291; no current implementation sends it.',
  },
  {
    family: 6,
    prefixes: ['fec0::/10'],
    name: 'Site-Local (deprecated)',
    tag: 'reserved',
    rfcs: ['RFC 3879'],
    origin: 'iana-ipv6-space',
    attrs: cols('NNNFF'),
    note: 'Deprecated in 2004; existing deployments may still use it (RFC 3879 section 4).',
  },
  {
    family: 6,
    prefixes: ['ff00::/8'],
    name: 'Multicast',
    tag: 'multicast',
    rfcs: ['RFC 4291 Section 2.7'],
    origin: 'iana-ipv6-multicast',
    attrs: cols('FTTTT'),
    note:
      'Not in the special-purpose registry. A multicast address is never a source (RFC 4291 ' +
      'section 2.7); forwarding and reach follow the scope nibble.',
  },
  ...(
    [
      ['ff01::1/128', 'All Nodes Address', ['RFC 4291']],
      ['ff01::2/128', 'All Routers Address', ['RFC 4291']],
      ['ff02::1/128', 'All Nodes Address', ['RFC 4291']],
      ['ff02::2/128', 'All Routers Address', ['RFC 4291']],
      ['ff02::5/128', 'OSPFIGP', ['RFC 2328']],
      ['ff02::6/128', 'OSPFIGP Designated Routers', ['RFC 2328']],
      ['ff02::9/128', 'RIP Routers', ['RFC 2080']],
      ['ff02::d/128', 'All PIM Routers', []],
      ['ff02::12/128', 'VRRP', ['RFC 9568']],
      ['ff02::16/128', 'All MLDv2-capable routers', ['RFC 9777']],
      ['ff02::fb/128', 'mDNSv6', ['RFC 6762']],
      ['ff02::1:2/128', 'All_DHCP_Relay_Agents_and_Servers', ['RFC 9915']],
      ['ff02::1:3/128', 'Link-local Multicast Name Resolution', ['RFC 4795']],
      ['ff02::1:ff00:0/104', 'Solicited-Node Address', ['RFC 4291']],
      ['ff05::2/128', 'All Routers Address', ['RFC 4291']],
      ['ff05::1:3/128', 'All_DHCP_Servers', ['RFC 9915']],
    ] as const
  ).map(
    ([prefix, name, rfcs]): RegistryEntry => ({
      family: 6,
      prefixes: [prefix],
      name,
      tag: 'multicast',
      rfcs,
      origin: 'iana-ipv6-multicast',
      group: true,
    }),
  ),
];

/** Every entry, both families. Order carries no meaning: the most specific prefix wins. */
export const REGISTRY: readonly RegistryEntry[] = Object.freeze([
  ...IPV4_SPECIAL,
  ...IPV4_OTHER,
  ...IPV6_SPECIAL,
  ...IPV6_OTHER,
]);

/** The entries that transcribe the IANA special-purpose registries (25 IPv4 + 25 IPv6 records). */
export const IANA_SPECIAL_ENTRIES: readonly RegistryEntry[] = Object.freeze([
  ...IPV4_SPECIAL,
  ...IPV6_SPECIAL,
]);
