import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromHex } from '../src/core/bytes.js';
import { decodeFrame } from '../src/decode/pipeline.js';

test('decodes an Ethernet/IPv4/TCP SYN', () => {
  // 172.16.16.128.2826 > 212.58.226.142.80: Flags [S], seq 3691127924, win 8192, options [mss 1460,nop,wscale 2,nop,nop,sackOK]
  const data = fromHex(
    '00055d21994c00216a5b7d4a08004500 0034317f4000800655ebac101080d43a e28e0b0a0050dc0224740000000080022000cfeb0000020405b40103030201010402',
  );
  const p = decodeFrame({
    index: 1,
    tsSec: 0,
    tsNsec: 0,
    ts: 0,
    caplen: data.length,
    origlen: data.length,
    linkType: 1,
    interfaceId: 0,
    data,
    fileOffset: 0,
  });
  assert.equal(p.status, 'decoded');
  assert.deepEqual(
    p.layers.map((l) => l.kind),
    ['eth', 'ipv4', 'tcp'],
  );
  assert.equal(p.tcp?.seq, 3691127924);
  assert.equal(p.tcp?.srcPort, 2826);
});
