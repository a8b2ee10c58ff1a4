/**
 * The floors the bench measures wirelens against: what reading a capture costs in Node before any
 * analysis, with wirelens' own reader and decoder.
 *
 *   node dist/bench/floor.js read <file>     every record read and framed, nothing done with it
 *   node dist/bench/floor.js decode <file>   the same, and every frame decoded into its layers
 *   node dist/bench/floor.js table <file>    every record read, and each IPv4 TCP segment counted in
 *                                            a bare connection table (bench/bound-table.ts)
 *
 * Prints one line of JSON: the mode, the packets seen, how many had a TCP layer (decode, table)
 * and how many connections the table opened (table), so that the bench and its test can check the
 * loop did the work it claims.
 */

import { pathToFileURL } from 'node:url';
import { readCapture } from '../src/capture/source.js';
import type { Frame } from '../src/capture/types.js';
import { decodeFrame } from '../src/decode/pipeline.js';
import { BoundTable } from './bound-table.js';

export type FloorMode = 'read' | 'decode' | 'table';
const MODES: readonly string[] = ['read', 'decode', 'table'];

export interface FloorResult {
  mode: FloorMode;
  packets: number;
  /** Frames with a TCP layer (decode), IPv4 TCP segments (table); 0 for read. */
  tcp: number;
  /** Connections the bare table opened (table only). */
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

const script = process.argv[1];
if (script !== undefined && import.meta.url === pathToFileURL(script).href) {
  const [mode, file] = process.argv.slice(2);
  if (mode === undefined || !MODES.includes(mode) || file === undefined) {
    process.stderr.write('usage: node dist/bench/floor.js read|decode|table <capture>\n');
    process.exit(2);
  }
  process.stdout.write(`${JSON.stringify(await floor(mode as FloorMode, file))}\n`);
}
