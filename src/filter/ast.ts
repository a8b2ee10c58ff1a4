/**
 * The typed AST of a filter expression, after libpcap's qualifier inheritance has been applied
 * and every name resolved: `tcp port http or 443` arrives here as
 * `or(port{tcp, 80}, port{tcp, 443})`. Each primitive records its VLAN depth: how many `vlan`
 * keywords precede it in the expression, which is how many 4-byte tags libpcap skips before it
 * looks at the EtherType and the network header.
 */

/** Direction qualifier; `src or dst` is the default. */
export type Dir = 'src' | 'dst' | 'src or dst' | 'src and dst';

/** Where `ip[...]`, `tcp[...]`, ... count their offsets from. `link` is ether/fddi/tr/wlan/ppp/slip/link. */
export type LoadProto =
  | 'link'
  | 'ip'
  | 'ip6'
  | 'arp'
  | 'rarp'
  | 'tcp'
  | 'udp'
  | 'sctp'
  | 'icmp'
  | 'igmp'
  | 'igrp'
  | 'pim'
  | 'vrrp'
  | 'carp'
  | 'icmp6';

export type ArithOp = '+' | '-' | '*' | '/' | '%' | '&' | '|' | '^' | '<<' | '>>';
export type RelOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type Arith =
  | { readonly kind: 'num'; readonly value: number }
  | { readonly kind: 'len' }
  | {
      readonly kind: 'load';
      readonly proto: LoadProto;
      readonly index: Arith;
      readonly size: 1 | 2 | 4;
      readonly depth: number;
    }
  | { readonly kind: 'binary'; readonly op: ArithOp; readonly left: Arith; readonly right: Arith }
  | { readonly kind: 'neg'; readonly expr: Arith };

interface At {
  /** Source span [pos, end) of the primitive's first token, for messages. */
  readonly pos: number;
  readonly end: number;
}

export type Primitive =
  /** IPv4 address match (`host`, `net`, partial dotted forms) on ip, arp, rarp or all three (`any`). */
  | (At & {
      readonly kind: 'host4';
      readonly proto: 'any' | 'ip' | 'arp' | 'rarp';
      readonly dir: Dir;
      readonly addr: number;
      readonly mask: number;
      /** Written as a network (`net`, CIDR, `mask`, or a partial address): printed as `net`. */
      readonly net: boolean;
      readonly depth: number;
    })
  /** IPv6 address or prefix match. */
  | (At & {
      readonly kind: 'host6';
      readonly dir: Dir;
      readonly addr: Uint8Array;
      readonly prefix: number;
      readonly net: boolean;
      readonly depth: number;
    })
  | (At & { readonly kind: 'ether-host'; readonly dir: Dir; readonly mac: number })
  /** `port`/`portrange` (lo = hi for `port`) over TCP, UDP, SCTP or all three. */
  | (At & {
      readonly kind: 'port';
      readonly proto: 'any' | 'tcp' | 'udp' | 'sctp';
      readonly dir: Dir;
      readonly lo: number;
      readonly hi: number;
      readonly range: boolean;
      readonly depth: number;
    })
  /** Link-layer protocol (`ether proto N` and the abbreviations ip, ip6, arp, rarp, ...). */
  | (At & {
      readonly kind: 'link-proto';
      readonly value: number;
      readonly abbrev?: string;
      readonly depth: number;
    })
  /** IP protocol (`ip proto N`, `ip6 proto N`, `proto N` and tcp, udp, icmp, ...). */
  | (At & {
      readonly kind: 'ip-proto';
      readonly family: 'any' | 4 | 6;
      readonly value: number;
      readonly abbrev?: string;
      readonly depth: number;
    })
  | (At & {
      readonly kind: 'broadcast';
      readonly level: 'link' | 'ip';
      readonly hostmask: number;
      readonly depth: number;
    })
  | (At & { readonly kind: 'multicast'; readonly level: 'link' | 'ip' | 'ip6'; readonly depth: number })
  | (At & { readonly kind: 'vlan'; readonly id?: number; readonly depth: number })
  | (At & { readonly kind: 'length'; readonly op: 'less' | 'greater'; readonly value: number })
  | (At & { readonly kind: 'relation'; readonly op: RelOp; readonly left: Arith; readonly right: Arith });

export type Expr =
  /** The empty expression: matches everything. */
  | { readonly kind: 'true' }
  | { readonly kind: 'and' | 'or'; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'not'; readonly expr: Expr }
  | Primitive;
