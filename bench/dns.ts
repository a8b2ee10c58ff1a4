/** DNS messages (RFC 1035) for the lookups that precede some connections: A/AAAA queries and answers. */

export const DNS_TYPE_A = 1;
export const DNS_TYPE_AAAA = 28;
const DNS_CLASS_IN = 1;
const DNS_HEADER = 12;
/** Standard query, recursion desired. */
const FLAGS_QUERY = 0x0100;
/** Response, recursion desired and available, NOERROR. */
const FLAGS_RESPONSE = 0x8180;
/** Compression pointer to the question name at offset 12. */
const NAME_POINTER = 0xc00c;

/** `www.example.com` as length-prefixed labels ending in the root label. */
export function encodeName(name: string): Uint8Array {
  const labels = name.split('.');
  const out = new Uint8Array(name.length + 2);
  let o = 0;
  for (const label of labels) {
    out[o++] = label.length;
    for (let i = 0; i < label.length; i++) out[o++] = label.charCodeAt(i);
  }
  out[o] = 0;
  return out;
}

export function dnsQuery(id: number, qname: Uint8Array, qtype: number): Uint8Array {
  const out = new Uint8Array(DNS_HEADER + qname.length + 4);
  header(out, id, FLAGS_QUERY, 0);
  question(out, qname, qtype);
  return out;
}

/**
 * The answer to a query: for A, one record with `address`; for AAAA, NOERROR with no records
 * (the names only have IPv4 addresses).
 */
export function dnsResponse(
  id: number,
  qname: Uint8Array,
  qtype: number,
  address: number,
  ttl: number,
): Uint8Array {
  const answers = qtype === DNS_TYPE_A ? 1 : 0;
  const out = new Uint8Array(DNS_HEADER + qname.length + 4 + answers * 16);
  header(out, id, FLAGS_RESPONSE, answers);
  let o = question(out, qname, qtype);
  if (answers) {
    o = put16(out, o, NAME_POINTER);
    o = put16(out, o, DNS_TYPE_A);
    o = put16(out, o, DNS_CLASS_IN);
    o = put16(out, o, ttl >>> 16);
    o = put16(out, o, ttl & 0xffff);
    o = put16(out, o, 4);
    o = put16(out, o, address >>> 16);
    put16(out, o, address & 0xffff);
  }
  return out;
}

function header(out: Uint8Array, id: number, flags: number, answers: number): void {
  put16(out, 0, id);
  put16(out, 2, flags);
  put16(out, 4, 1); // QDCOUNT
  put16(out, 6, answers); // ANCOUNT
  put16(out, 8, 0); // NSCOUNT
  put16(out, 10, 0); // ARCOUNT
}

function question(out: Uint8Array, qname: Uint8Array, qtype: number): number {
  out.set(qname, DNS_HEADER);
  let o = DNS_HEADER + qname.length;
  o = put16(out, o, qtype);
  return put16(out, o, DNS_CLASS_IN);
}

function put16(b: Uint8Array, o: number, v: number): number {
  b[o] = v >>> 8;
  b[o + 1] = v;
  return o + 2;
}
