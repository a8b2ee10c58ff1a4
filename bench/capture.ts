/** The bench's synthetic captures, generated once under `.bench/` and reused while unchanged. */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCapture } from './gen.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const OUT_DIR = join(ROOT, '.bench');

export interface Capture {
  path: string;
  packets: number;
  bytes: number;
  /** Most connections open (first to last packet) at one time. */
  open: number;
}

/** The bench capture of `connections` (generated once, then reused), at `rate` new connections/s if given. */
export async function ensureCapture(connections: number, rate?: number): Promise<Capture> {
  if (!existsSync(OUT_DIR)) mkdirSync(OUT_DIR, { recursive: true });
  const path = join(OUT_DIR, `synth-${connections}${rate === undefined ? '' : `-rate${rate}`}.pcap`);
  const meta = `${path}.json`;
  if (existsSync(path) && existsSync(meta)) {
    const m = JSON.parse(readFileSync(meta, 'utf8')) as Partial<Capture>;
    if (statSync(path).size === m.bytes && m.packets !== undefined && m.open !== undefined)
      return { path, packets: m.packets, bytes: m.bytes, open: m.open };
  }
  process.stderr.write(`generating ${path} (${connections} connections, seed 1)…\n`);
  const r = await generateCapture({
    path,
    connections,
    seed: 1,
    ...(rate === undefined ? {} : { connectionsPerSecond: rate }),
  });
  const c = { packets: r.packets, bytes: r.bytes, open: r.maxConcurrentConnections };
  writeFileSync(meta, JSON.stringify(c));
  return { path, ...c };
}
