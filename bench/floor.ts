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
 *
 * The last two are steps rather than floors: with `decode` below them and `conns --json` above, they
 * split the time of `conns` into decoding, tracking, the models and the command itself.
 *
 * Prints one line of JSON: the mode, the packets seen, how many had a TCP layer (decode, table,
 * tracker, models) and how many connections the table opened or the session tracked, so that the
 * bench and its test can check the loop did the work it claims.
 */

import { pathToFileURL } from 'node:url';
import { readCapture } from '../src/capture/source.js';
import type { Frame } from '../src/capture/types.js';
import { decodeFrame } from '../src/decode/pipeline.js';
import { DEFAULT_SESSION } from '../src/flow/defaults.js';
import { Session } from '../src/flow/session.js';
import { BoundTable } from './bound-table.js';

export type FloorMode = 'read' | 'decode' | 'table' | 'tracker' | 'models';
const MODES: readonly string[] = ['read', 'decode', 'table', 'tracker', 'models'];

export interface FloorResult {
  mode: FloorMode;
  packets: number;
  /** Frames with a TCP layer (decode, tracker, models), IPv4 TCP segments (table); 0 for read. */
  tcp: number;
  /** Connections the bare table opened (table), or the session tracked (tracker, models). */
  connections?: number;
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
  // As `conns --json` runs its session (rows reused as connections end), minus what it writes.
  const session = new Session(
    { ...DEFAULT_SESSION, recycleEnded: true, ...(mode === 'tracker' ? { defaults: false } : {}) },
    {
      tcpEnd() {
        connections++;
      },
    },
  );
  const track = (f: Frame) => {
    packets++;
    const p = decodeFrame(f);
    if (p.tcp !== undefined) tcp++;
    session.process(p);
  };
  await readCapture(file, { frame: track, problem() {} }, {});
  session.finish();
  return { mode, packets, tcp, connections };
}

const script = process.argv[1];
if (script !== undefined && import.meta.url === pathToFileURL(script).href) {
  const [mode, file] = process.argv.slice(2);
  if (mode === undefined || !MODES.includes(mode) || file === undefined) {
    process.stderr.write('usage: node dist/bench/floor.js read|decode|table|tracker|models <capture>\n');
    process.exit(2);
  }
  process.stdout.write(`${JSON.stringify(await floor(mode as FloorMode, file))}\n`);
}
