/** HTTP transactions of a capture, through the same Session the CLI uses. */
import { readFileSync } from 'node:fs';
import { HttpAnalyzer, type HttpAnalyzerOptions, type HttpRecord } from '../../src/app/http/analyzer.js';
import { readCaptureBuffer } from '../../src/capture/source.js';
import { withHttp } from '../../src/cli/http.js';
import { decodeFrame } from '../../src/decode/pipeline.js';
import { DEFAULT_SESSION, Session, type SessionOptions } from '../../src/flow/session.js';
import { ReassemblyBudget } from '../../src/flow/tcp/reassembly.js';

/** The transactions a session made by `options` reports for `file`, by connection and depth. */
function recordsOf(file: string, options: (sink: (r: HttpRecord) => void) => SessionOptions): HttpRecord[] {
  const out: HttpRecord[] = [];
  const s = new Session(options((r) => out.push(r)));
  readCaptureBuffer(readFileSync(file), { frame: (f) => s.process(decodeFrame(f)), problem: () => {} });
  s.finish();
  return out.sort((a, b) => a.conn.id - b.conn.id || a.tx.trans_depth - b.tx.trans_depth);
}

/** As the `http` and `report` commands see them (`withHttp`). */
export function httpRecords(file: string): HttpRecord[] {
  return recordsOf(file, (sink) => withHttp(DEFAULT_SESSION, sink));
}

/** As an HTTP analyser given `opts` sees them (the defaults without). */
export function analyzerRecords(file: string, opts?: HttpAnalyzerOptions): HttpRecord[] {
  const budget = new ReassemblyBudget();
  return recordsOf(file, (sink) => ({
    ...DEFAULT_SESSION,
    analyzers: (c) => [new HttpAnalyzer(c, budget, sink, opts)],
  }));
}
