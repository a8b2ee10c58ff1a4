/** The fast NDJSON writer produces exactly what JSON.stringify of the documented packet object does. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { readCaptureBuffer } from '../../src/capture/source.js';
import { decodeFrame } from '../../src/decode/pipeline.js';
import { packetJson, packetJsonLine } from '../../src/report/packet-json.js';
import { allFixtureCaptures } from '../helpers/corpus.js';

test('packetJsonLine equals JSON.stringify(packetJson) on every fixture packet', () => {
  let n = 0;
  for (const file of allFixtureCaptures()) {
    readCaptureBuffer(readFileSync(file), {
      frame(f) {
        const p = decodeFrame(f);
        const extra = p.tcp ? { relSeq: 1, relAck: undefined } : undefined;
        const fast = packetJsonLine(p, extra);
        assert.equal(fast, JSON.stringify(packetJson(p, extra)), `${file} packet ${f.index}`);
        JSON.parse(fast);
        n++;
      },
      problem() {},
    });
  }
  assert.ok(n > 5000);
});
