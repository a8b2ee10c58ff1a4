/** ICMP and ICMPv6 type and code names (IANA registries), as stable lowercase identifiers. */

type Names = Record<number, { name: string; codes?: Record<number, string> }>;

export const ICMP4: Names = {
  0: { name: 'echo-reply' },
  3: {
    name: 'destination-unreachable',
    codes: {
      0: 'net-unreachable',
      1: 'host-unreachable',
      2: 'protocol-unreachable',
      3: 'port-unreachable',
      4: 'fragmentation-needed',
      5: 'source-route-failed',
      6: 'dest-net-unknown',
      7: 'dest-host-unknown',
      8: 'source-host-isolated',
      9: 'net-prohibited',
      10: 'host-prohibited',
      11: 'net-unreachable-for-tos',
      12: 'host-unreachable-for-tos',
      13: 'communication-prohibited',
      14: 'host-precedence-violation',
      15: 'precedence-cutoff',
    },
  },
  4: { name: 'source-quench' },
  5: {
    name: 'redirect',
    codes: { 0: 'redirect-net', 1: 'redirect-host', 2: 'redirect-tos-net', 3: 'redirect-tos-host' },
  },
  8: { name: 'echo-request' },
  9: { name: 'router-advertisement' },
  10: { name: 'router-solicitation' },
  11: {
    name: 'time-exceeded',
    codes: { 0: 'ttl-exceeded-in-transit', 1: 'fragment-reassembly-time-exceeded' },
  },
  12: {
    name: 'parameter-problem',
    codes: { 0: 'pointer-indicates-error', 1: 'missing-option', 2: 'bad-length' },
  },
  13: { name: 'timestamp' },
  14: { name: 'timestamp-reply' },
  15: { name: 'information-request' },
  16: { name: 'information-reply' },
  17: { name: 'address-mask-request' },
  18: { name: 'address-mask-reply' },
  30: { name: 'traceroute' },
  40: { name: 'photuris' },
  42: { name: 'extended-echo-request' },
  43: { name: 'extended-echo-reply' },
};

export const ICMP6: Names = {
  1: {
    name: 'destination-unreachable',
    codes: {
      0: 'no-route',
      1: 'administratively-prohibited',
      2: 'beyond-scope-of-source',
      3: 'address-unreachable',
      4: 'port-unreachable',
      5: 'source-address-failed-policy',
      6: 'reject-route',
      7: 'source-routing-header-error',
    },
  },
  2: { name: 'packet-too-big' },
  3: {
    name: 'time-exceeded',
    codes: { 0: 'hop-limit-exceeded-in-transit', 1: 'fragment-reassembly-time-exceeded' },
  },
  4: {
    name: 'parameter-problem',
    codes: { 0: 'erroneous-header-field', 1: 'unrecognized-next-header', 2: 'unrecognized-ipv6-option' },
  },
  128: { name: 'echo-request' },
  129: { name: 'echo-reply' },
  130: { name: 'multicast-listener-query' },
  131: { name: 'multicast-listener-report' },
  132: { name: 'multicast-listener-done' },
  133: { name: 'router-solicitation' },
  134: { name: 'router-advertisement' },
  135: { name: 'neighbor-solicitation' },
  136: { name: 'neighbor-advertisement' },
  137: { name: 'redirect' },
  138: { name: 'router-renumbering' },
  139: { name: 'node-information-query' },
  140: { name: 'node-information-response' },
  141: { name: 'inverse-nd-solicitation' },
  142: { name: 'inverse-nd-advertisement' },
  143: { name: 'multicast-listener-report-v2' },
  144: { name: 'home-agent-discovery-request' },
  145: { name: 'home-agent-discovery-reply' },
  146: { name: 'mobile-prefix-solicitation' },
  147: { name: 'mobile-prefix-advertisement' },
  151: { name: 'multicast-router-advertisement' },
  152: { name: 'multicast-router-solicitation' },
  153: { name: 'multicast-router-termination' },
  155: { name: 'rpl-control' },
  160: { name: 'extended-echo-request' },
  161: { name: 'extended-echo-reply' },
};

/** [typeName, codeName]; unknown types become `type-N`, unknown codes `code-N`; types without codes give ''. */
export function icmpNames(table: Names, type: number, code: number): [string, string, boolean] {
  const t = table[type];
  if (!t) return [`type-${type}`, `code-${code}`, false];
  if (!t.codes) return [t.name, code === 0 ? '' : `code-${code}`, true];
  return [t.name, t.codes[code] ?? `code-${code}`, true];
}
