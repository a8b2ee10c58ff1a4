/**
 * The floors the bench measures wirelens against: what reading a capture costs in Node before any
 * analysis, with wirelens' own reader and decoder.
 *
 *   node dist/bench/floor.js read <file>     every record read and framed, nothing done with it
 *   node dist/bench/floor.js decode <file>   the same, and every frame decoded into its layers
 *
 * Prints one line of JSON: the mode, the packets seen and (decode) how many had a TCP layer, so
 * that the bench and its test can check the loop did the work it claims.
 */

import { pathToFileURL } from 'node:url';
import { readCapture } from '../src/capture/source.js';
import type { Frame } from '../src/capture/types.js';
import { decodeFrame } from '../src/decode/pipeline.js';

export type FloorMode = 'read' | 'decode';

export interface FloorResult {
  mode: FloorMode;
  packets: number;
  /** Frames with a TCP layer (decode only; 0 for read). */
  tcp: number;
}

export async function floor(mode: FloorMode, file: string): Promise<FloorResult> {
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
  if ((mode !== 'read' && mode !== 'decode') || file === undefined) {
    process.stderr.write('usage: node dist/bench/floor.js read|decode <capture>\n');
    process.exit(2);
  }
  process.stdout.write(`${JSON.stringify(await floor(mode, file))}\n`);
}
