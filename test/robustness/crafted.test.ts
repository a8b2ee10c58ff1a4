/**
 * Captures crafted to hurt (scripts/fuzz.ts `craftedCaptures`, written to a temporary directory):
 * HTTP with 200 KB of headers, chunked bodies whose size line or extension never ends or whose size
 * is 2^80, 3000 pipelined requests (one capture each); in one capture 300 VLAN tags, 200 IPv6
 * extension headers, 80 nested tunnels, DNS compression loops and overlong names over UDP and TCP,
 * odd TCP options, a TCP flag storm, ICMP errors quoting garbage; raw-IP and SLL2 garbage; a pcapng
 * with hostile headers (escapes in interface names, odd timestamp resolutions, unknown interfaces,
 * blocks and options that lie about their lengths, a second section in the other byte order, a cut
 * final block); a pcap with damaged records; a cut gzip stream; a file cut inside its first record.
 * Each runs clean through every command of the real CLI (matrix.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { craftedCaptures, hugeTimestampsPcapng } from '../../scripts/fuzz.js';
import { runCliAsync } from './cli.js';
import { assertClean, reportedAs, runMatrix } from './matrix.js';

const DIR = mkdtempSync(join(tmpdir(), 'wirelens-crafted-'));
after(() => rmSync(DIR, { recursive: true, force: true }));

const CAPTURES = craftedCaptures();

describe('crafted captures run clean through every command', () => {
  for (const c of CAPTURES) {
    test(`${c.name} (${c.bytes.length} bytes)`, async (t) => {
      const file = join(DIR, c.name);
      writeFileSync(file, c.bytes);
      const m = await runMatrix(file);
      t.diagnostic(`${c.name}: ${reportedAs(m.runs.get('report --json'))}`);
      assertClean(m);
    });
  }
});

describe('capture times near 2^60 s (a pcapng interface with a huge if_tsoffset)', () => {
  // At that magnitude a double cannot add a few seconds: a timer stepped forward in a loop
  // (ZeekTcpConn.advance once did) never catches up with the packet time.
  const file = join(DIR, 'huge-timestamps.pcapng');
  writeFileSync(file, hugeTimestampsPcapng());
  test('read shows the packets', async () => {
    const r = await runCliAsync(['read', file], { timeoutSeconds: 30 });
    if (r.status !== 0 || r.stdout.split('\n').filter(Boolean).length !== 10)
      throw new Error(`read: exit ${r.status}, ${r.stdout}${r.stderr}`);
  });
  for (const cmd of ['conns', 'report'])
    test(`${cmd} finishes`, async () => {
      const r = await runCliAsync([cmd, file], { timeoutSeconds: 5 });
      if (r.timedOut) throw new Error(`${cmd} still running after 5 s (killed)`);
      if (r.status !== 0) throw new Error(`${cmd}: exit ${r.status}: ${r.stderr}`);
    });
});
