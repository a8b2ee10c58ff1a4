/** The `conns --json` writer produces exactly JSON.stringify of the connection record. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { readCaptureBuffer } from '../../src/capture/source.js';
import { TextBuffer } from '../../src/core/text-buffer.js';
import { decodeFrame } from '../../src/decode/pipeline.js';
import { Session } from '../../src/flow/session.js';
import { connectionExtras } from '../../src/report/conn-extras.js';
import { type ConnRecord, tcpRecord, udpRecord, writeConnRecordJson } from '../../src/report/conns.js';
import { allFixtureCaptures } from '../helpers/corpus.js';

/** The writer's text; a small buffer so that records outgrow it. */
function written(r: ConnRecord, capacity = 16): string {
  const b = new TextBuffer(capacity);
  writeConnRecordJson(b, r);
  return b.toString();
}

/** Every TCP and UDP record of a capture, built as `conns` builds them. */
function records(file: string): ConnRecord[] {
  const rows: ConnRecord[] = [];
  const s = new Session(undefined, {
    tcpEnd: (c) => rows.push(tcpRecord(c, connectionExtras(c))),
    udpEnd: (f) => rows.push(udpRecord(f)),
  });
  readCaptureBuffer(readFileSync(file), { frame: (f) => s.process(decodeFrame(f)), problem: () => {} });
  s.finish();
  return rows;
}

const base: ConnRecord = {
  ts: 1700000000.123456,
  uid: 'C1',
  'id.orig_h': '10.0.0.1',
  'id.orig_p': 40000,
  'id.resp_h': '2001:db8::1',
  'id.resp_p': 443,
  proto: 'tcp',
  duration: 0.5,
  orig_bytes: 0,
  resp_bytes: 4294967296,
  conn_state: 'SF',
  missed_bytes: 0,
  history: 'ShADadFf',
  orig_pkts: 1,
  orig_ip_bytes: 60,
  resp_pkts: 0,
  resp_ip_bytes: 0,
  index: 1,
  first_packet: 1,
  last_packet: 9,
  orig_tag: 'private',
  resp_tag: '',
};

describe('writeConnRecordJson', () => {
  test('equals JSON.stringify on every TCP and UDP record of every fixture capture', () => {
    const keys = new Set<string>();
    let n = 0;
    for (const file of allFixtureCaptures()) {
      for (const r of records(file)) {
        assert.equal(written(r, 1 << 12), JSON.stringify(r), `${file} ${r.uid}`);
        for (const k of Object.keys(r))
          if ((r as unknown as Record<string, unknown>)[k] !== undefined) keys.add(k);
        n++;
      }
    }
    assert.ok(n > 1000, `${n} records`);
    // The fixtures reach every field, the rare nested ones included.
    for (const k of ['conn_state', 'closer', 'irtt', 'sack', 'time_wait', 'time_wait_reuse', 'reused_from']) {
      assert.ok(keys.has(k), k);
    }
    for (const k of ['analysis', 'anomalies', 'answered', 'unanswered', 'end_reason', 'orig_wscale']) {
      assert.ok(keys.has(k), k);
    }
  });

  test('equals JSON.stringify on hand-built records: missing fields, odd numbers, odd strings, empty lists', () => {
    const odd = [
      '',
      'a"b',
      'back\\slash',
      'tab\tnew\nline\r\u0000\u001f\u007f',
      'héllo 日本語',
      'emoji \u{1F600}',
      'lone \ud800 high',
      'lone \udc00 low',
      '\u2028\u2029',
      '</script>',
    ];
    const cases: ConnRecord[] = [
      base,
      { ...base, conn_state: undefined, history: undefined },
      { ...base, ts: Number.NaN, duration: Number.POSITIVE_INFINITY, orig_bytes: Number.NEGATIVE_INFINITY },
      { ...base, ts: -0, duration: -0, 'id.orig_p': -0, irtt: -0 },
      { ...base, ts: 1e21, duration: 1e-7, orig_bytes: -1, resp_bytes: 2 ** 53, index: 0.1 + 0.2 },
      {
        ...base,
        origin: 'syn',
        orig_state: 'TIME-WAIT',
        resp_state: 'CLOSED',
        orig_initial_state: 'CLOSED',
        resp_initial_state: 'LISTEN',
        end_reason: 'closed',
        closer: 'orig',
        irtt: 0.0011920928955078125,
        orig_mss: 1460,
        resp_mss: Number.NaN,
        orig_wscale: 0,
        resp_wscale: 14,
        sack: false,
        timestamps: true,
        time_wait: [
          { side: 'orig', start: 1700000000.004776, end: 1700000060.004776 },
          { side: 'resp', start: Number.NaN, end: -0 },
        ],
        time_wait_reuse: {
          previous: 3,
          holder: 'resp',
          beforeDeadline: -0,
          legitimate: false,
          reason: 'why "not"\n',
        },
        reused_from: 3,
        analysis: { retransmission: 2, '10': 1, 'a"b': Number.NaN, zero_window: 0 },
        anomalies: ['tcp.midstream', 'odd"\\'],
      },
      { ...base, end_reason: undefined, time_wait: [], analysis: {}, anomalies: [] },
      { ...base, proto: 'udp', answered: 0, unanswered: Number.NaN },
      // Undefined values inside nested values are left out as JSON.stringify leaves them out.
      { ...base, analysis: { a: 1, b: undefined as unknown as number, c: 3 } },
    ];
    for (const s of odd) {
      cases.push({
        ...base,
        uid: s,
        'id.orig_h': s,
        orig_tag: s,
        resp_tag: s,
        history: s,
        end_reason: s,
        time_wait: [{ side: s as 'orig', start: 1, end: 2 }],
        analysis: { [s]: 1 },
        anomalies: [s, s],
      });
    }
    for (const r of cases) {
      const want = JSON.stringify(r);
      assert.equal(written(r), want);
      assert.equal(written(r, 1 << 16), want);
    }
  });

  test('records follow one another in one buffer', () => {
    const b = new TextBuffer(8);
    const a = { ...base, uid: 'C1' };
    const c = { ...base, uid: 'C2', anomalies: ['x'] };
    writeConnRecordJson(b, a);
    b.byte(10);
    writeConnRecordJson(b, c);
    assert.equal(b.toString(), `${JSON.stringify(a)}\n${JSON.stringify(c)}`);
  });
});
