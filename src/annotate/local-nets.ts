/**
 * `--local-net CIDR`: the user's own networks. An address inside one is shown with the `local`
 * tag in front of its registry tag (`local private`, `local public`), so a capture reads as
 * "us" and "them".
 */
import {
  type Cidr,
  type Cidr4,
  type Cidr6,
  type CidrError,
  contains6,
  isCidrError,
  mask4,
  parseCidr,
} from './cidr.js';

export type LocalNetsResult =
  | { readonly ok: true; readonly nets: LocalNets; readonly hostBitsCleared: readonly string[] }
  | { readonly ok: false; readonly errors: readonly CidrError[] };

export class LocalNets {
  readonly #v4: readonly Cidr4[];
  /** IPv4 prefixes as parallel arrays for the per-packet test. */
  readonly #v4Base: Uint32Array;
  readonly #v4Mask: Uint32Array;
  readonly #v6: readonly Cidr6[];

  /** Prefixes are kept most specific first, so `match` returns the longest. */
  constructor(cidrs: readonly Cidr[]) {
    const v4 = cidrs.filter((c): c is Cidr4 => c.family === 4).sort((a, b) => b.len - a.len);
    const v6 = cidrs.filter((c): c is Cidr6 => c.family === 6).sort((a, b) => b.len - a.len);
    this.#v4 = Object.freeze(v4);
    this.#v6 = Object.freeze(v6);
    this.#v4Base = Uint32Array.from(v4, (c) => c.base);
    this.#v4Mask = Uint32Array.from(v4, (c) => mask4(c.len));
  }

  /**
   * Parse `--local-net` values. Each value may hold several CIDRs separated by commas or
   * spaces; a bare address means a /32 or /128. Every bad item is reported, not just the first.
   */
  static parse(specs: readonly string[]): LocalNetsResult {
    const cidrs: Cidr[] = [];
    const errors: CidrError[] = [];
    const cleared: string[] = [];
    for (const spec of specs) {
      for (const item of spec.split(/[\s,]+/)) {
        if (item === '') continue;
        const r = parseCidr(item);
        if (isCidrError(r)) {
          errors.push(r);
          continue;
        }
        if (r.hostBitsCleared) cleared.push(item);
        cidrs.push(r.cidr);
      }
    }
    if (errors.length > 0) return { ok: false, errors };
    return { ok: true, nets: new LocalNets(cidrs), hostBitsCleared: cleared };
  }

  /** No networks given. */
  get empty(): boolean {
    return this.#v4.length === 0 && this.#v6.length === 0;
  }

  /** The networks, IPv4 then IPv6, most specific first. */
  get cidrs(): readonly Cidr[] {
    return [...this.#v4, ...this.#v6];
  }

  /** Is the address (IPv4 number, or 16 bytes at `o`) in one of the networks? */
  contains(a: number | Uint8Array, o = 0): boolean {
    if (typeof a === 'number') return this.#index4(a) >= 0;
    return this.#index6(a, o) >= 0;
  }

  /** The most specific network holding the address, or undefined. */
  match(a: number | Uint8Array, o = 0): Cidr | undefined {
    if (typeof a === 'number') {
      const i = this.#index4(a);
      return i < 0 ? undefined : this.#v4[i];
    }
    const i = this.#index6(a, o);
    return i < 0 ? undefined : this.#v6[i];
  }

  #index4(a: number): number {
    const base = this.#v4Base;
    const mask = this.#v4Mask;
    for (let i = 0; i < base.length; i++) {
      if ((a & (mask[i] as number)) >>> 0 === base[i]) return i;
    }
    return -1;
  }

  #index6(b: Uint8Array, o: number): number {
    const nets = this.#v6;
    for (let i = 0; i < nets.length; i++) if (contains6(nets[i] as Cidr6, b, o)) return i;
    return -1;
  }
}
