/**
 * Anomalies: a closed catalogue of stable identifiers (in the spirit of Zeek's "weird" names).
 * Decoders, the flow tracker and analysers attach them to packets and connections; they are
 * counted and rendered by the report layer, never thrown and never printed from inside a decoder.
 *
 * Each area of the code defines its own entries with `defineAnomalies` (see decode/anomalies.ts,
 * flow/anomalies.ts, ...); `anomalyCatalogue()` lists every registered entry. Tests assert ids.
 */

/**
 * How an anomaly affects a packet's accounting:
 * - `truncated`:   the capture cut the packet short (snaplen); normal, not evidence of anything.
 * - `malformed`:   a header contradicts itself or the bytes we have; evidence of a broken or crafted packet.
 * - `unsupported`: a link type or encapsulation this tool cannot decode; the bytes are kept as data.
 * - `warning`:     decoded fine but noteworthy (bad checksum, odd flags, protocol misuse).
 * - `note`:        informational (checksum offload, TSO super-frame, eviction of state, ...).
 */
export type Severity = 'truncated' | 'malformed' | 'unsupported' | 'warning' | 'note';

export interface AnomalySpec {
  readonly severity: Severity;
  /** One plain sentence a student can read. */
  readonly summary: string;
}

export interface Anomaly {
  readonly id: string;
  readonly severity: Severity;
  /** Layer (protocol) that found it: 'ipv4', 'tcp', 'pcap', 'flow', ... */
  readonly layer: string;
  /** Byte offset within the frame (or within the file for capture-level anomalies); -1 if not applicable. */
  readonly offset: number;
  /** Short specific detail: the numbers that triggered it. Never contains raw packet text. */
  readonly detail?: string;
}

const catalogue = new Map<string, AnomalySpec>();

/** Register a group of anomaly ids; returns the same object, typed, so callers use `X.id` constants. */
export function defineAnomalies<T extends Record<string, AnomalySpec>>(entries: T): { [K in keyof T]: K } {
  const ids = {} as { [K in keyof T]: K };
  for (const [id, spec] of Object.entries(entries)) {
    const prev = catalogue.get(id);
    if (prev && prev !== spec) throw new Error(`anomaly id defined twice: ${id}`);
    catalogue.set(id, spec);
    (ids as Record<string, string>)[id] = id;
  }
  return ids;
}

export function anomalySpec(id: string): AnomalySpec | undefined {
  return catalogue.get(id);
}

export function anomalyCatalogue(): ReadonlyMap<string, AnomalySpec> {
  return catalogue;
}

/** Build an anomaly record; the severity comes from the catalogue. */
export function anomaly(id: string, layer: string, offset: number, detail?: string): Anomaly {
  const spec = catalogue.get(id);
  const severity: Severity = spec ? spec.severity : 'warning';
  return detail === undefined ? { id, severity, layer, offset } : { id, severity, layer, offset, detail };
}
