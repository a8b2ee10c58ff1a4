/** HTTP transactions of a capture, through the same Session the CLI uses. */
import { readFileSync } from 'node:fs';
import type { HttpRecord } from '../../src/app/http/analyzer.js';
import { readCaptureBuffer } from '../../src/capture/source.js';
import { withHttp } from '../../src/cli/http.js';
import { decodeFrame } from '../../src/decode/pipeline.js';
import { DEFAULT_SESSION, Session } from '../../src/flow/session.js';

export function httpRecords(file: string): HttpRecord[] {
  const out: HttpRecord[] = [];
  const s = new Session(withHttp(DEFAULT_SESSION, (r) => out.push(r)));
  readCaptureBuffer(readFileSync(file), { frame: (f) => s.process(decodeFrame(f)), problem: () => {} });
  s.finish();
  return out.sort((a, b) => a.conn.id - b.conn.id || a.tx.trans_depth - b.tx.trans_depth);
}
