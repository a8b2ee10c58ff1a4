/** Address tags for per-packet views, memoised (bounded) so a busy capture classifies each address once. */
import { shortTag } from '../annotate/describe.js';
import type { LocalNets } from '../annotate/local-nets.js';
import { toHex } from '../core/bytes.js';

export class TagCache {
  private readonly v4 = new Map<number, string>();
  private readonly v6 = new Map<string, string>();

  constructor(
    private readonly local?: LocalNets,
    private readonly limit = 50_000,
  ) {}

  readonly tag = (a: number | Uint8Array): string => {
    if (typeof a === 'number') {
      let t = this.v4.get(a);
      if (t === undefined) {
        t = shortTag(a, this.local);
        if (this.v4.size >= this.limit) this.v4.clear();
        this.v4.set(a, t);
      }
      return t;
    }
    const k = toHex(a);
    let t = this.v6.get(k);
    if (t === undefined) {
      t = shortTag(a, this.local);
      if (this.v6.size >= this.limit) this.v6.clear();
      this.v6.set(k, t);
    }
    return t;
  };
}
