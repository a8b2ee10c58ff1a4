/** DNS type, class and rcode mnemonics (IANA DNS parameters). */
const TYPES: Record<number, string> = {
  1: 'A',
  2: 'NS',
  5: 'CNAME',
  6: 'SOA',
  12: 'PTR',
  13: 'HINFO',
  15: 'MX',
  16: 'TXT',
  28: 'AAAA',
  33: 'SRV',
  35: 'NAPTR',
  41: 'OPT',
  43: 'DS',
  46: 'RRSIG',
  47: 'NSEC',
  48: 'DNSKEY',
  50: 'NSEC3',
  64: 'SVCB',
  65: 'HTTPS',
  99: 'SPF',
  252: 'AXFR',
  255: 'ANY',
  257: 'CAA',
};

const RCODES: Record<number, string> = {
  0: 'NOERROR',
  1: 'FORMERR',
  2: 'SERVFAIL',
  3: 'NXDOMAIN',
  4: 'NOTIMP',
  5: 'REFUSED',
  6: 'YXDOMAIN',
  7: 'YXRRSET',
  8: 'NXRRSET',
  9: 'NOTAUTH',
  10: 'NOTZONE',
};

export function dnsTypeText(t: number): string {
  return TYPES[t] ?? `TYPE${t}`;
}

export function dnsClassText(c: number): string {
  if (c === 1) return 'IN';
  if (c === 3) return 'CH';
  if (c === 255) return 'ANY';
  if ((c & 0x7fff) === 1) return 'IN(QU)';
  return `CLASS${c}`;
}

export function dnsRcodeText(r: number): string {
  return RCODES[r] ?? `RCODE${r}`;
}
