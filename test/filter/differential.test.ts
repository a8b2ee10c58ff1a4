/**
 * Differential test: for every capture of the public corpus that tcpdump can read and wirelens
 * can decode, and for every expression below, wirelens selects exactly the packets tcpdump
 * selects. Skipped when tcpdump is not installed.
 *
 * How: tcpdump rewrites each capture as a classic pcap (so both sides see the same frames), the
 * frames are merged into one file per link type, and for each expression
 * `tcpdump -r merged.pcap -w - EXPR` writes the selected packets, which are matched back to
 * their packet numbers (they are a subsequence of the input). `-w` runs no protocol printers,
 * so no tcpdump dissector bug can interfere.
 *
 * When tcpdump refuses an expression for a link type (`vlan` on a Linux cooked capture...),
 * `Filter.linkTypeError` must refuse it too. When libpcap's optimizer refuses it as matching
 * nothing ("expression rejects all packets"), wirelens must select nothing.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Frame } from '../../src/capture/types.js';
import { decodeFrame } from '../../src/decode/pipeline.js';
import type { Packet } from '../../src/decode/types.js';
import { compileFilter } from '../../src/filter/index.js';
import { EXPRESSIONS } from './expressions.js';
import { readPcap, writePcap } from './pcap-for-tests.js';
import { SYNTHETIC, syntheticFrame } from './synthetic.js';

const CORPUS = '/work/shared/corpus/public';

/** Link types whose frames wirelens decodes (and whose geometry the filter knows). */
const DECODED_LINK_TYPES = new Set([0, 1, 12, 14, 101, 108, 113, 228, 229, 276]);

/** A known, justified difference from tcpdump. Every entry must still be needed (stale ones fail the test). */
interface Exception {
  readonly file: string;
  readonly packet: number | '*';
  readonly expr: string;
  readonly reason: string;
  /**
   * The difference comes from libpcap's optimizer: the test then also runs `tcpdump -O`
   * (unoptimized BPF) and requires wirelens to agree with it on every packet of that link type.
   */
  readonly unoptimizedAgrees: boolean;
}

const OPTIMIZER_DEAD_READ =
  'frame cut before bytes a primitive reads: wirelens (like the unoptimized BPF program) rejects it; ' +
  "libpcap's optimizer deletes those reads as dead because a later, already-decided test fixes the result " +
  '(e.g. `ip` after `host`: the EtherType already said IPv4), so tcpdump accepts. Only redundant expressions hit this.';

const EXCEPTIONS: readonly Exception[] = [
  ['host 10.0.0.2 or ip', 'synthetic:ipv4-cut-at-30'],
  ['host 10.0.0.2 or ip', 'zeek-trunc_ip4-trunc.pcap'],
  ['not (host 10.0.0.2 and arp)', 'synthetic:ipv4-cut-at-30'],
  ['not (host 10.0.0.2 and arp)', 'zeek-trunc_ip4-trunc.pcap'],
  ['port 80 or tcp', 'synthetic:ipv4-cut-at-30'],
].map(([expr, file]) => ({
  file: file as string,
  packet: 1,
  expr: expr as string,
  reason: OPTIMIZER_DEAD_READ,
  unoptimizedAgrees: true,
}));

interface Group {
  readonly linkType: number;
  readonly frames: Frame[];
  readonly packets: Packet[];
  /** For each merged frame: [file, packet number in that file]. */
  readonly origin: [string, number][];
  readonly path: string;
}

function hasTcpdump(): boolean {
  const r = spawnSync('tcpdump', ['--version'], { encoding: 'utf8' });
  return r.status === 0;
}

function run(args: string[]): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve) => {
    execFile('tcpdump', args, { encoding: 'buffer', maxBuffer: 1 << 28 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr: stderr.toString('utf8') });
    });
  });
}

function sameFrame(a: Frame, b: Frame): boolean {
  if (a.tsSec !== b.tsSec || Math.floor(a.tsNsec / 1000) !== Math.floor(b.tsNsec / 1000)) return false;
  if (a.origlen !== b.origlen || a.data.length !== b.data.length) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}

/** Indices (0-based) of `all` that the subsequence `selected` corresponds to. */
function matchBack(all: readonly Frame[], selected: readonly Frame[]): Set<number> {
  const out = new Set<number>();
  let j = 0;
  for (const s of selected) {
    while (j < all.length && !sameFrame(all[j] as Frame, s)) j++;
    if (j >= all.length) throw new Error('tcpdump wrote a frame that is not in its input');
    out.add(j++);
  }
  return out;
}

function buildGroups(dir: string, notes: string[]): Group[] {
  const byLink = new Map<number, { frames: Frame[]; origin: [string, number][] }>();
  for (const name of readdirSync(CORPUS).sort()) {
    const out = join(dir, `${name}.pcap`);
    const r = spawnSync('tcpdump', ['-r', join(CORPUS, name), '-w', out], { encoding: 'utf8' });
    if (r.status !== 0) {
      notes.push(`skipped ${name}: tcpdump cannot read it (${r.stderr.trim().split('\n').pop()})`);
      continue;
    }
    const pcap = readPcap(readFileSync(out));
    if (!DECODED_LINK_TYPES.has(pcap.linkType)) {
      notes.push(`skipped ${name}: link type ${pcap.linkType} is not decoded by wirelens`);
      continue;
    }
    let g = byLink.get(pcap.linkType);
    if (!g) {
      g = { frames: [], origin: [] };
      byLink.set(pcap.linkType, g);
    }
    for (const f of pcap.frames) {
      g.frames.push(f);
      g.origin.push([name, f.index]);
    }
  }
  SYNTHETIC.forEach((s, i) => {
    const f = syntheticFrame(s.name, i + 1);
    const g = byLink.get(f.linkType);
    if (!g) throw new Error(`no corpus group for the link type of ${s.name}`);
    g.frames.push(f);
    g.origin.push([`synthetic:${s.name}`, 1]);
  });
  const groups: Group[] = [];
  for (const [linkType, g] of byLink) {
    const path = join(dir, `merged-${linkType}.pcap`);
    writeFileSync(path, writePcap(linkType, g.frames));
    // Re-read what was written, so both sides see byte-identical frames.
    const frames = readPcap(readFileSync(path)).frames;
    groups.push({ linkType, frames, packets: frames.map(decodeFrame), origin: g.origin, path });
  }
  return groups;
}

async function pool<T>(items: readonly T[], n: number, f: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await f(items[next++] as T);
  };
  await Promise.all(Array.from({ length: n }, worker));
}

test('wirelens selects exactly the packets tcpdump selects', {
  skip: !hasTcpdump() && 'tcpdump not installed',
}, async (t) => {
  assert.ok(EXPRESSIONS.length >= 40);
  const dir = mkdtempSync(join(tmpdir(), 'wirelens-filter-diff-'));
  try {
    const notes: string[] = [];
    const groups = buildGroups(dir, notes);
    const files = new Set(
      groups.flatMap((g) => g.origin.map((o) => o[0])).filter((n) => !n.startsWith('synthetic:')),
    );
    const mismatches: string[] = [];
    const used = new Set<number>();
    let compared = 0;
    let refused = 0;
    let unoptimizedRuns = 0;
    const jobs = groups.flatMap((g) => EXPRESSIONS.map((e) => [g, e] as const));
    await pool(jobs, 4, async ([g, expr]) => {
      const f = compileFilter(expr);
      const r = await run(['-r', g.path, '-w', '-', '--', ...(expr === '' ? [] : [expr])]);
      let selected: Set<number>;
      if (r.code !== 0) {
        if (/rejects all packets/.test(r.stderr)) selected = new Set();
        else {
          refused++;
          const why = f.linkTypeError(g.linkType);
          if (why === undefined)
            mismatches.push(
              `[${expr}] link type ${g.linkType}: tcpdump refuses it (${r.stderr.trim()}), wirelens does not`,
            );
          return;
        }
      } else selected = matchBack(g.frames, readPcap(r.stdout).frames);
      const why = f.linkTypeError(g.linkType);
      if (why !== undefined)
        mismatches.push(`[${expr}] link type ${g.linkType}: wirelens refuses it (${why}), tcpdump does not`);
      compared++;
      const ours = g.packets.map((p) => f.matches(p));
      let checkUnoptimized = false;
      ours.forEach((mine, i) => {
        const theirs = selected.has(i);
        if (mine === theirs) return;
        const [file, num] = g.origin[i] as [string, number];
        const ex = EXCEPTIONS.findIndex(
          (e) => e.file === file && (e.packet === '*' || e.packet === num) && e.expr === expr,
        );
        if (ex >= 0) {
          used.add(ex);
          if (EXCEPTIONS[ex]?.unoptimizedAgrees) checkUnoptimized = true;
          return;
        }
        mismatches.push(
          `[${expr}] ${file} #${num}: tcpdump ${theirs ? 'selects' : 'rejects'}, wirelens ${mine ? 'selects' : 'rejects'}`,
        );
      });
      if (checkUnoptimized) {
        unoptimizedRuns++;
        const u = await run(['-O', '-r', g.path, '-w', '-', '--', expr]);
        const sel = matchBack(g.frames, readPcap(u.stdout).frames);
        ours.forEach((mine, i) => {
          if (mine !== sel.has(i))
            mismatches.push(
              `[${expr}] ${g.origin[i]?.join(' #')}: wirelens differs from unoptimized tcpdump -O too`,
            );
        });
      }
    });
    for (const n of notes) t.diagnostic(n);
    t.diagnostic(
      `${EXPRESSIONS.length} expressions x ${files.size} files + ${SYNTHETIC.length} synthetic frames (${groups.length} link types): ${compared} expression/link-type runs compared, ${refused} refused by libpcap for the link type; ${used.size} exceptions used, checked against tcpdump -O in ${unoptimizedRuns} runs`,
    );
    EXCEPTIONS.forEach((e, i) => {
      if (!used.has(i)) mismatches.push(`stale exception: [${e.expr}] ${e.file} #${e.packet}`);
    });
    assert.deepEqual(mismatches.sort(), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
