/**
 * The floors the bench measures wirelens against: what reading a capture costs in Node before any
 * analysis, with wirelens' own reader and decoder.
 *
 *   node dist/bench/floor.js read <file>     every record read and framed, nothing done with it
 *   node dist/bench/floor.js decode <file>   the same, and every frame decoded into its layers
 *   node dist/bench/floor.js table <file>    every record read, and each IPv4 TCP segment counted in
 *                                            a bare connection table (bench/bound-table.ts)
 *   node dist/bench/floor.js tracker <file>  every frame decoded and tracked by wirelens' own session
 *                                            with its RFC 9293 machines only (no analysers), nothing
 *                                            written: what `conns` costs before its models
 *   node dist/bench/floor.js models <file>   the same with the default analysers (tshark's analysis
 *                                            flags, the Zeek model), nothing written: `conns` but for
 *                                            the command's own work (records, filter, counts)
 *   node dist/bench/floor.js http <file>     the same with the HTTP analyser on every connection, as
 *                                            `report` has it (streams reassembled, HTTP parsed)
 *   node dist/bench/floor.js tables <file>   the same with `report`'s per-packet tables (capture
 *                                            statistics and IP conversations, hosts, ARP, NAT hints)
 *                                            and its listener analysis: `report` but for its own
 *                                            work (transaction counts, the report built and written)
 *
 * The last four are steps rather than floors: with `decode` below them and `conns --json` and
 * `report --json` above, they split the time of `conns` into decoding, tracking, the models and the
 * command itself, and that of `report` into the models, HTTP, its tables and the command itself.
 *
 * Prints one line of JSON: the mode, the packets seen, how many had a TCP layer (all but read), how
 * many connections the table opened or the session tracked, and the HTTP transactions (http,
 * tables), so that the bench and its test can check the loop did the work it claims.
 */

import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import { readCapture } from '../src/capture/source.js';
import type { Frame } from '../src/capture/types.js';
import { decodeFrame } from '../src/decode/pipeline.js';
import { DEFAULT_SESSION } from '../src/flow/defaults.js';
import { Session, type SessionOptions } from '../src/flow/session.js';
import { BoundTable } from './bound-table.js';

export type FloorMode = 'read' | 'decode' | 'table' | 'tracker' | 'models' | 'http' | 'tables';
const MODES: readonly string[] = ['read', 'decode', 'table', 'tracker', 'models', 'http', 'tables'];

export interface FloorResult {
  mode: FloorMode;
  packets: number;
  /** Frames with a TCP layer (decode, tracker, models), IPv4 TCP segments (table); 0 for read. */
  tcp: number;
  /** Connections the bare table opened (table), or the session tracked (tracker and later modes). */
  connections?: number;
  /** HTTP transactions completed (http, tables). */
  transactions?: number;
}

export async function floor(mode: FloorMode, file: string): Promise<FloorResult> {
  if (mode === 'table') {
    const t = new BoundTable();
    await readCapture(file, { frame: (f) => t.frame(f.data, f.ts), problem() {} }, {});
    return { mode, packets: t.packets, tcp: t.segments, connections: t.connections };
  }
  let packets = 0;
  let tcp = 0;
  if (mode === 'read' || mode === 'decode') {
    // Each floor's loop is written out whole: a call to a shared step measurably slowed the
    // decoding floor (0.47 -> 0.49 s, medians of 6 alternating runs).
    const frame =
      mode === 'read'
        ? (_f: Frame) => {
            packets++;
          }
        : (f: Frame) => {
            packets++;
            if (decodeFrame(f).tcp !== undefined) tcp++;
          };
    await readCapture(file, { frame, problem() {} }, {});
    return { mode, packets, tcp };
  }
  let connections = 0;
  let transactions = 0;
  const conns = mode === 'tracker' || mode === 'models';
  // As `conns --json` runs its session (rows reused as connections end), minus what it writes; or
  // as `report` wires its session and tables (cli/report.ts), minus its counts and the report.
  // `report`'s modules are loaded only for its steps: the other modes' times include no more
  // start-up than they need.
  const options: SessionOptions = conns
    ? { ...DEFAULT_SESSION, recycleEnded: true, ...(mode === 'tracker' ? { defaults: false } : {}) }
    : (await import('../src/cli/http.js')).withHttp({ ...DEFAULT_SESSION, recycleEnded: true }, () => {
        transactions++;
      });
  const tables = mode === 'tables' ? await reportTables() : undefined;
  const session = new Session(options, {
    tcpEnd(c) {
      connections++;
      tables?.listeners.add(c);
    },
  });
  const track = (f: Frame) => {
    packets++;
    const p = decodeFrame(f);
    if (p.tcp !== undefined) tcp++;
    session.process(p);
    if (tables !== undefined) {
      tables.stats.add(p);
      tables.hosts.add(p);
      tables.arp.onPacket(p);
      tables.nat.onPacket(p);
    }
  };
  await readCapture(file, { frame: track, problem() {} }, {});
  session.finish();
  return conns ? { mode, packets, tcp, connections } : { mode, packets, tcp, connections, transactions };
}

/** The tables `report` feeds every packet (and its listener analysis every connection). */
async function reportTables() {
  const [{ ArpAnalyzer }, { HostTable }, { NatHintsCollector }, { CaptureStats }, { ListenerTracker }] =
    await Promise.all([
      import('../src/annotate/arp.js'),
      import('../src/annotate/hosts.js'),
      import('../src/annotate/nat-hints.js'),
      import('../src/flow/stats.js'),
      import('../src/flow/tcp/listeners.js'),
    ]);
  return {
    stats: new CaptureStats(),
    hosts: new HostTable(),
    arp: new ArpAnalyzer(),
    nat: new NatHintsCollector(),
    listeners: new ListenerTracker(),
  };
}

const script = process.argv[1];
if (script !== undefined && import.meta.url === pathToFileURL(script).href) {
  // The heap grows as in the commands (bin/wirelens.js), so that peak memory compares with theirs.
  v8.setFlagsFromString('--heap-growing-percent=100');
  const [mode, file] = process.argv.slice(2);
  if (mode === undefined || !MODES.includes(mode) || file === undefined) {
    process.stderr.write(`usage: node dist/bench/floor.js ${MODES.join('|')} <capture>\n`);
    process.exit(2);
  }
  process.stdout.write(`${JSON.stringify(await floor(mode as FloorMode, file))}\n`);
}
