/**
 * Match wirelens' Zeek-style rows against Zeek's own conn.log rows (expected.tsv) and list the
 * differences field by field.
 *
 * Rows are matched by connection (the two endpoints and the protocol, in either orientation); where a
 * 5-tuple has several rows, by creation order. Zeek's baselines mask `ts`, but its uids come from a
 * fixed test seed and are handed out in creation order, so a uid's rank in that sequence gives the
 * order (and matches the rows whose baseline shows no tuple at all).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Row } from './run.js';

/** The first uids of Zeek's deterministic test sequence, in creation order (checked on the corpus). */
const UID_ORDER = [
  'CHhAvVGS1DHFjwGM9',
  'ClEkJM2Vm5giqnMf4h',
  'C4J4Th3PJpwUYZZ6gc',
  'CtPZjS20MLrsMUOJi2',
  'CUM0KZ3MLUfNB0cl11',
  'CmES5u32sYpV7JYN',
  'CP5puj4I8PtEU4qzYg',
  'C37jN32gN3y3AZzyf6',
  'C3eiCBGOLw3VtHfOj',
  'CwjjYJ2WqgTbAqiHl6',
];

export interface Expected {
  readonly line: number;
  readonly uid: string;
  readonly origAddr: string;
  readonly origPort: string;
  readonly respAddr: string;
  readonly respPort: string;
  readonly proto: string;
  readonly connState: string;
  readonly history: string;
  readonly origPkts: string;
  readonly respPkts: string;
  readonly origBytes: string;
  readonly respBytes: string;
  readonly duration: string;
  /** More columns from Zeek's conn.log (by uid), when the baseline has them. */
  readonly more: Readonly<Record<string, string>>;
}

/** uid → column → value, from a Zeek log (`#fields` header, or the header line zeek-cut -m writes). */
export function readZeekLog(file: string): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  if (!existsSync(file)) return out;
  let names: string[] | undefined;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('#fields\t')) {
      names = line.split('\t').slice(1);
      continue;
    }
    if (line.startsWith('#') || line.trim() === '') continue;
    const cols = line.split('\t');
    if (!names) {
      names = cols;
      continue;
    }
    const rec: Record<string, string> = {};
    names.forEach((n, i) => {
      rec[n] = cols[i] ?? '-';
    });
    if (rec.uid && rec.uid !== '-') out.set(rec.uid, rec);
  }
  return out;
}

/** Columns taken from conn.log beside expected.tsv. */
const MORE = ['missed_bytes', 'orig_ip_bytes', 'resp_ip_bytes'] as const;

export function readExpected(file: string, connLog?: string): Expected[] {
  const log = connLog ? readZeekLog(connLog) : new Map<string, Record<string, string>>();
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const out: Expected[] = [];
  lines.slice(1).forEach((l, i) => {
    const c = l.split('\t');
    const g = (k: number) => c[k] ?? '-';
    out.push({
      line: i + 2,
      uid: g(1),
      origAddr: g(2),
      origPort: g(3),
      respAddr: g(4),
      respPort: g(5),
      proto: g(6),
      connState: g(7),
      history: g(8),
      origPkts: g(9),
      respPkts: g(10),
      origBytes: g(11),
      respBytes: g(12),
      duration: g(13),
      more: Object.fromEntries(
        MORE.flatMap((k) => {
          const v = log.get(g(1))?.[k];
          return v === undefined ? [] : [[k, v] as const];
        }),
      ),
    });
  });
  return out;
}

export type Field =
  | 'orientation'
  | 'conn_state'
  | 'history'
  | 'orig_pkts'
  | 'resp_pkts'
  | 'orig_bytes'
  | 'resp_bytes'
  | 'duration'
  | 'missed_bytes'
  | 'orig_ip_bytes'
  | 'resp_ip_bytes';

export interface Diff {
  readonly field: Field;
  readonly expected: string;
  readonly actual: string;
}

export interface Pair {
  readonly expected: Expected;
  /** Undefined: wirelens has no row for it. */
  readonly actual: Row | undefined;
  /** Fields compared (the baseline has a value for them) and those that differ. */
  readonly compared: Field[];
  readonly diffs: Diff[];
}

export interface Comparison {
  readonly pairs: Pair[];
  /** wirelens rows Zeek does not have (only counted where the baseline lists whole connections). */
  readonly extra: Row[];
}

const ends = (a: string, p: string | number) => `${a}|${p}`;

function keyOfExpected(e: Expected): string | undefined {
  if (e.origAddr === '-' || e.respAddr === '-') return undefined;
  const a = ends(e.origAddr, e.origPort);
  const b = ends(e.respAddr, e.respPort);
  return a < b ? `${a}>${b}` : `${b}>${a}`;
}

function keyOfRow(r: Row): string {
  const a = ends(r.origAddr, r.origPort);
  const b = ends(r.respAddr, r.respPort);
  return a < b ? `${a}>${b}` : `${b}>${a}`;
}

function rank(e: Expected): number {
  const i = UID_ORDER.indexOf(e.uid);
  return i < 0 ? 1000 + e.line : i;
}

/**
 * Compare. `fullLog`: the baseline is a whole conn.log (its `-` in bytes/duration mean "unset", and
 * every connection is listed); otherwise `-` means "column not in the baseline".
 */
export function compareRows(expected: Expected[], rows: Row[], fullLog: boolean): Comparison {
  const used = new Set<Row>();
  const pairs: Pair[] = [];
  const withKey = expected.filter((e) => keyOfExpected(e) !== undefined);
  const withoutKey = expected.filter((e) => keyOfExpected(e) === undefined);
  const groups = new Map<string, Expected[]>();
  for (const e of withKey) {
    const k = `${keyOfExpected(e)}`;
    const g = groups.get(k) ?? [];
    g.push(e);
    groups.set(k, g);
  }
  const matched = new Map<Expected, Row | undefined>();
  for (const [k, g] of groups) {
    g.sort((x, y) => rank(x) - rank(y));
    const protoOf = g[0]?.proto;
    const ours = rows.filter(
      (r) => keyOfRow(r) === k && (protoOf === undefined || protoOf === '-' || protoOf === r.proto),
    );
    g.forEach((e, i) => {
      const r = ours[i];
      if (r) used.add(r);
      matched.set(e, r);
    });
  }
  // Baselines without tuples: creation order among all rows.
  if (withoutKey.length > 0) {
    const sorted = [...withoutKey].sort((x, y) => rank(x) - rank(y));
    const free = rows.filter((r) => !used.has(r));
    sorted.forEach((e, i) => {
      const r = free[rank(e) < 1000 ? rank(e) : i];
      if (r) used.add(r);
      matched.set(e, r);
    });
  }
  for (const e of expected) pairs.push(comparePair(e, matched.get(e), fullLog));
  const extra = fullLog ? rows.filter((r) => !used.has(r)) : [];
  return { pairs, extra };
}

function comparePair(e: Expected, r: Row | undefined, fullLog: boolean): Pair {
  const compared: Field[] = [];
  const diffs: Diff[] = [];
  const check = (field: Field, exp: string, act: string) => {
    if (exp === '-' && !fullLog) return;
    compared.push(field);
    if (exp !== act) diffs.push({ field, expected: exp, actual: act });
  };
  if (!r) {
    for (const f of ['conn_state', 'history'] as const) {
      const exp = f === 'conn_state' ? e.connState : e.history;
      if (exp !== '-') {
        compared.push(f);
        diffs.push({ field: f, expected: exp, actual: '(no row)' });
      }
    }
    return { expected: e, actual: r, compared, diffs };
  }
  if (e.origAddr !== '-') {
    check('orientation', `${e.origAddr}:${e.origPort}`, `${r.origAddr}:${r.origPort}`);
  }
  if (e.connState !== '-') check('conn_state', e.connState, r.connState);
  if (e.history !== '-' || fullLog) check('history', e.history, r.history);
  check('orig_pkts', e.origPkts, String(r.origPkts));
  check('resp_pkts', e.respPkts, String(r.respPkts));
  check('orig_bytes', e.origBytes, r.origBytes);
  check('resp_bytes', e.respBytes, r.respBytes);
  check('duration', e.duration, r.duration);
  const more = (f: 'missed_bytes' | 'orig_ip_bytes' | 'resp_ip_bytes', act: number) => {
    const exp = e.more[f];
    if (exp !== undefined && exp !== '-') check(f, exp, String(act));
  };
  more('missed_bytes', r.missedBytes);
  more('orig_ip_bytes', r.origIpBytes);
  more('resp_ip_bytes', r.respIpBytes);
  return { expected: e, actual: r, compared, diffs };
}
