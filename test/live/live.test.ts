/**
 * The parts of live capture that need no packets: loading `cap` (and saying what to install when it
 * fails), interface lists and defaults, error classification, the clock, interface counters; and
 * the CLI's error paths with their exit codes (unknown interface, invalid filter, cap missing).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  type CapModule,
  capLoadError,
  classifyOpenError,
  counterDelta,
  defaultInterface,
  findInterface,
  LIBPCAP_SNAPLEN,
  LiveClock,
  LiveFilterError,
  linkTypeFromCap,
  listInterfaces,
  loadCap,
  openLive,
  prefixLength,
  readInterfaceCounters,
} from '../../src/capture/live.js';
import type { Frame } from '../../src/capture/types.js';
import { connPhase, warmUpFrames, withoutTimingEvidence } from '../../src/cli/sniff.js';
import { ExitCode, UserError } from '../../src/core/errors.js';
import { decodeFrame } from '../../src/decode/pipeline.js';
import { Session } from '../../src/flow/session.js';
import { Conversation, F } from '../helpers/build.js';
import { BIN, isRoot, LAB, ROOT, wirelens, wirelensAsync, writeBrokenCap, writeFakeCap } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'wirelens-live-unit-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const fakeCap = writeFakeCap(tmp);
const brokenCap = writeBrokenCap(tmp);
const FIXTURE = join(LAB, 'http-keepalive.pcap');
process.env.FAKE_CAP_PCAP = FIXTURE;
const STACK = /^\s+at /m;

describe('loading cap', () => {
  test('a missing module is ExitCode.noCapture, naming what to install', () => {
    assert.throws(
      () => loadCap(join(tmp, 'no-such-module.cjs')),
      (e: unknown) => {
        assert.ok(e instanceof UserError);
        assert.equal(e.exitCode, ExitCode.noCapture);
        assert.match(e.message, /is not installed/);
        assert.match(e.message, /apt-get install libpcap-dev/);
        assert.match(e.message, /dnf install libpcap-devel/);
        assert.match(e.message, /npm rebuild cap/);
        return true;
      },
    );
  });

  test('libpcap missing (dlopen failure) says libpcap could not be loaded', () => {
    assert.throws(
      () => loadCap(brokenCap),
      (e: unknown) =>
        e instanceof UserError &&
        e.exitCode === ExitCode.noCapture &&
        /could not load libpcap/.test(e.message),
    );
  });

  test('every kind of load failure gets its own reason', () => {
    const why = (e: object) => capLoadError('cap', e).message;
    assert.match(
      why({ code: 'MODULE_NOT_FOUND', message: "Cannot find module 'cap'" }),
      /'cap' module is not installed/,
    );
    assert.match(
      why({ code: 'MODULE_NOT_FOUND', message: "Cannot find module '../build/Release/cap.node'" }),
      /native part was not built/,
    );
    assert.match(
      why({
        code: 'ERR_DLOPEN_FAILED',
        message: 'was compiled against a different Node.js version using NODE_MODULE_VERSION 108',
      }),
      /built for another version of Node\.js/,
    );
    assert.equal(capLoadError('cap', new Error('x')).exitCode, ExitCode.noCapture);
  });

  test('the stand-in loads through the same path as cap', () => {
    const cap = loadCap(fakeCap);
    assert.deepEqual(
      listInterfaces(cap, join(tmp, 'no-sysfs')).map((i) => i.name),
      ['fake0', 'lo', 'denied0', 'down0'],
    );
  });
});

describe('interfaces', () => {
  const sysfs = join(tmp, 'sysfs');
  const dev = (name: string, flags: string, operstate: string) => {
    mkdirSync(join(sysfs, name, 'statistics'), { recursive: true });
    writeFileSync(join(sysfs, name, 'flags'), `${flags}\n`);
    writeFileSync(join(sysfs, name, 'operstate'), `${operstate}\n`);
  };
  dev('eth0', '0x1003', 'down'); // up, no carrier
  dev('eth1', '0x1003', 'up');
  dev('lo', '0x9', 'unknown');
  const cap: CapModule = {
    Cap: Object.assign(
      function Cap() {
        throw new Error('not used');
      } as unknown as CapModule['Cap'],
      {
        deviceList: () => [
          { name: 'any', description: 'Pseudo-device that captures on all interfaces', addresses: [] },
          { name: 'lo', addresses: [{ addr: '127.0.0.1', netmask: '255.0.0.0' }], flags: 'PCAP_IF_LOOPBACK' },
          { name: 'eth0', addresses: [] },
          {
            name: 'eth1',
            addresses: [
              { addr: '10.1.2.3', netmask: '255.255.255.0', broadaddr: '10.1.2.255' },
              { addr: 'fd00::1', netmask: 'ffff:ffff:ffff:ffff::' },
            ],
          },
        ],
      },
    ),
  };

  test('flags come from the binding (loopback) and sysfs (up, running); unknown stays unknown', () => {
    const list = listInterfaces(cap, sysfs);
    const by = Object.fromEntries(list.map((i) => [i.name, i]));
    assert.equal(by.any?.up, undefined);
    assert.equal(by.any?.running, undefined);
    assert.deepEqual([by.lo?.loopback, by.lo?.up, by.lo?.running], [true, true, true]);
    assert.deepEqual([by.eth0?.up, by.eth0?.running], [true, false]);
    assert.deepEqual([by.eth1?.up, by.eth1?.running], [true, true]);
    assert.deepEqual(
      by.eth1?.addresses.map((a) => [a.addr, a.family, a.prefix]),
      [
        ['10.1.2.3', 4, 24],
        ['fd00::1', 6, 64],
      ],
    );
  });

  test('the default is the first interface up, not loopback, with an address', () => {
    assert.equal(defaultInterface(listInterfaces(cap, sysfs))?.name, 'eth1');
    assert.equal(defaultInterface([]), undefined);
  });

  test('an unknown interface is ExitCode.noInterface and lists the valid ones', () => {
    assert.throws(
      () => findInterface(listInterfaces(cap, sysfs), 'wlan9'),
      (e: unknown) =>
        e instanceof UserError &&
        e.exitCode === ExitCode.noInterface &&
        /unknown interface 'wlan9'/.test(e.message) &&
        /eth1 \(10\.1\.2\.3\)/.test(e.message) &&
        /lo \(127\.0\.0\.1\)/.test(e.message),
    );
  });

  test('prefix lengths from netmasks; non-contiguous masks have none', () => {
    assert.equal(prefixLength('255.255.255.0'), 24);
    assert.equal(prefixLength('0.0.0.0'), 0);
    assert.equal(prefixLength('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'), 128);
    assert.equal(prefixLength('255.0.255.0'), undefined);
    assert.equal(prefixLength('nonsense'), undefined);
  });

  test('interface counters and their change over a capture', () => {
    const st = join(sysfs, 'eth1', 'statistics');
    const write = (rx: number, tx: number, rxd: number, txd: number) => {
      writeFileSync(join(st, 'rx_packets'), `${rx}\n`);
      writeFileSync(join(st, 'tx_packets'), `${tx}\n`);
      writeFileSync(join(st, 'rx_dropped'), `${rxd}\n`);
      writeFileSync(join(st, 'tx_dropped'), `${txd}\n`);
    };
    write(100, 50, 1, 0);
    const a = readInterfaceCounters('eth1', sysfs);
    write(130, 61, 4, 0);
    const b = readInterfaceCounters('eth1', sysfs);
    assert.deepEqual(counterDelta(a, b), { rxPackets: 30, txPackets: 11, rxDropped: 3, txDropped: 0 });
    assert.equal(readInterfaceCounters('any', sysfs), undefined);
    assert.equal(readInterfaceCounters('../eth1', sysfs), undefined);
    assert.equal(counterDelta(undefined, b), undefined);
  });
});

describe('opening', () => {
  test('libpcap errors map to exit codes: permission 6, no device or down 7, anything else 5', () => {
    const perm = classifyOpenError('eth0', 'socket: Operation not permitted');
    assert.equal(perm.exitCode, ExitCode.permission);
    assert.match(perm.message, /root/);
    assert.match(perm.message, /CAP_NET_RAW and CAP_NET_ADMIN/);
    assert.match(
      perm.message,
      /sudo setcap cap_net_raw,cap_net_admin=eip \$\(readlink -f \$\(which node\)\)/,
    );
    assert.equal(
      classifyOpenError('eth0', "You don't have permission to capture on that device").exitCode,
      6,
    );
    assert.equal(classifyOpenError('eth9', 'No such device exists').exitCode, ExitCode.noInterface);
    assert.equal(classifyOpenError('ifb0', 'That device is not up').exitCode, ExitCode.noInterface);
    assert.equal(classifyOpenError('eth0', 'Unable to set buffer size').exitCode, ExitCode.noCapture);
  });

  test('link type names from the binding become LINKTYPE_ values', () => {
    assert.equal(linkTypeFromCap('ETHERNET'), 1);
    assert.equal(linkTypeFromCap('LINKTYPE_LINUX_SLL'), 113);
    assert.equal(linkTypeFromCap('RAW'), 101);
    assert.equal(linkTypeFromCap('NULL'), 0);
    assert.equal(linkTypeFromCap('IEEE802_11_RADIO'), 127);
    assert.equal(linkTypeFromCap('Unknown linktype 276'), 276);
  });

  test('a filter libpcap refuses on an interface that opens is a LiveFilterError (usage) with the link type', () => {
    const cap = loadCap(fakeCap);
    assert.throws(
      () => openLive(cap, { iface: 'fake0', filter: 'tcp and udp' }, { frame() {}, error() {} }),
      (e: unknown) =>
        e instanceof LiveFilterError &&
        e.exitCode === ExitCode.usage &&
        e.linkType === 1 &&
        /expression rejects all packets \(the expression can never match\)/.test(e.message),
    );
    assert.throws(
      () => openLive(cap, { iface: 'denied0', filter: 'tcp' }, { frame() {}, error() {} }),
      (e: unknown) => e instanceof UserError && e.exitCode === ExitCode.permission,
    );
  });

  test('frames: numbered from 1, microsecond times, -s cuts caplen and keeps the original length', async () => {
    const cap = loadCap(fakeCap);
    const frames: Frame[] = [];
    let lastData: Uint8Array | undefined;
    await new Promise<void>((done) => {
      const live = openLive(
        cap,
        { iface: 'fake0', filter: '', snaplen: 60 },
        {
          frame(f) {
            lastData = f.data;
            frames.push({ ...f, data: f.data.slice() });
            if (frames.length === 12) {
              live.stop();
              done();
            }
          },
          error(e) {
            throw e;
          },
        },
      );
      assert.equal(live.snaplen, 60);
      assert.equal(live.linkType, 1);
    });
    assert.deepEqual(
      frames.map((f) => f.index),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
    );
    for (const f of frames) {
      assert.equal(f.tsNsec % 1000, 0);
      assert.ok(f.caplen <= 60 && f.caplen === f.data.length);
      assert.equal(f.fileOffset, -1);
    }
    // frame 11 is the 74-byte SYN: cut to 60, original length kept
    assert.deepEqual([frames[10]?.caplen, frames[10]?.origlen], [60, 74]);
    // frame 1 is a 42-byte ARP request: not cut
    assert.deepEqual([frames[0]?.caplen, frames[0]?.origlen], [42, 42]);
    for (let i = 1; i < frames.length; i++) assert.ok(frames[i]!.ts >= frames[i - 1]!.ts);
    assert.ok(!(lastData instanceof Buffer), 'frames carry a plain Uint8Array, as file sources do');
    assert.ok(LIBPCAP_SNAPLEN === 65535);
  });
});

describe('the live clock', () => {
  test('the wall clock at start plus a monotonic clock, to the microsecond, with carries', () => {
    let hr: [number, number] = [1000, 999_999_000];
    const clock = new LiveClock(1_700_000_000_999.5, () => hr);
    assert.deepEqual(clock.now(), { sec: 1_700_000_000, nsec: 999_500_000 });
    hr = [1001, 0]; // +1 µs
    assert.deepEqual(clock.now(), { sec: 1_700_000_000, nsec: 999_501_000 });
    hr = [1001, 500_999]; // +501.999 µs → 501 µs
    assert.deepEqual(clock.now(), { sec: 1_700_000_001, nsec: 1_000 });
    hr = [1003, 999_999_999]; // +3 s and 999 ns → 3 s
    assert.deepEqual(clock.now(), { sec: 1_700_000_003, nsec: 999_500_000 });
  });

  test('the real clock never goes back', () => {
    const c = new LiveClock();
    let prev = c.now();
    for (let i = 0; i < 2_000; i++) {
      const t = c.now();
      assert.ok(t.sec > prev.sec || (t.sec === prev.sec && t.nsec >= prev.nsec));
      prev = t;
    }
  });
});

describe('CLI error paths (no capture needed)', () => {
  const noCap = { WIRELENS_CAP_MODULE: join(tmp, 'missing-cap.cjs') };
  const stand = { WIRELENS_CAP_MODULE: fakeCap, FAKE_CAP_PCAP: FIXTURE };
  const FILTERS = ['tcp port 80 and and', 'host 10.0.0.300', 'tcp port htp'];
  const BAD_ARGS = [
    ['-s', '70000'],
    ['-s', '-1'],
    ['-c', '0'],
    ['--duration', 'x'],
  ];
  // Every run at once: each one is mostly Node's startup.
  const runs = {
    noCapSniff: wirelensAsync(['sniff', '-i', 'lo'], noCap),
    noCapInterfaces: wirelensAsync(['interfaces'], noCap),
    broken: wirelensAsync(['sniff'], { WIRELENS_CAP_MODULE: brokenCap }),
    filters: Promise.all(
      FILTERS.map((f) =>
        Promise.all([wirelensAsync(['sniff', '-i', 'lo', f], noCap), wirelensAsync(['read', FIXTURE, f])]),
      ),
    ),
    both: wirelensAsync(['sniff', '-i', 'lo', '-f', 'tcp', 'port', 'and'], noCap),
    broadcast: wirelensAsync(['sniff', '-i', 'lo', 'ip broadcast'], noCap),
    badArgs: Promise.all(BAD_ARGS.map((a) => wirelensAsync(['sniff', '-i', 'lo', ...a], noCap))),
    unknown: wirelensAsync(['sniff', '-i', 'wlan9'], stand),
    denied: wirelensAsync(['sniff', '-i', 'denied0'], stand),
    down: wirelensAsync(['sniff', '-i', 'down0'], stand),
    refused: wirelensAsync(['sniff', '-i', 'fake0', 'tcp and udp'], stand),
  };

  test('cap missing: exit 5, what to install, no stack trace; interfaces too', async () => {
    for (const r of [await runs.noCapSniff, await runs.noCapInterfaces]) {
      assert.equal(r.code, ExitCode.noCapture, r.stderr);
      assert.match(r.stderr, /live capture is not available/);
      assert.match(r.stderr, /apt-get install libpcap-dev/);
      assert.match(r.stderr, /npm rebuild cap/);
      assert.doesNotMatch(r.stderr, STACK);
      assert.equal(r.stdout, '');
    }
  });

  test('libpcap missing: exit 5', async () => {
    const r = await runs.broken;
    assert.equal(r.code, ExitCode.noCapture);
    assert.match(r.stderr, /could not load libpcap \(libpcap\.so\.0\.8: cannot open shared object file/);
    assert.doesNotMatch(r.stderr, STACK);
  });

  test('an invalid filter is the same error as in read, caret included, checked before loading cap', async () => {
    for (const [live, replay] of await runs.filters) {
      assert.equal(live.code, ExitCode.usage);
      assert.equal(replay.code, ExitCode.usage);
      assert.equal(live.stderr, replay.stderr);
      assert.match(live.stderr, /\^/);
    }
    // -f and trailing words are joined with `and`
    const both = await runs.both;
    assert.equal(both.code, ExitCode.usage);
    assert.match(both.stderr, /\(tcp\) and \(port and\)/);
  });

  test("'ip broadcast' is refused: the binding compiles it with the network address as netmask", async () => {
    const r = await runs.broadcast;
    assert.equal(r.code, ExitCode.usage);
    assert.match(r.stderr, /'ip broadcast' cannot be used for live capture/);
  });

  test('bad -s, -c, --duration are usage errors', async () => {
    (await runs.badArgs).forEach((r, i) => {
      assert.equal(r.code, ExitCode.usage, `${BAD_ARGS[i]?.join(' ')}: ${r.stderr}`);
    });
  });

  test('unknown interface: exit 7 and the valid ones (stand-in)', async () => {
    const r = await runs.unknown;
    assert.equal(r.code, ExitCode.noInterface);
    assert.match(
      r.stderr,
      /unknown interface 'wlan9'. Capture devices: fake0 \(10\.0\.1\.2\), lo \(127\.0\.0\.1\), denied0/,
    );
    assert.doesNotMatch(r.stderr, STACK);
  });

  test('no permission: exit 6 (stand-in), naming root, the capabilities and setcap', async () => {
    const r = await runs.denied;
    assert.equal(r.code, ExitCode.permission);
    assert.match(r.stderr, /CAP_NET_RAW and CAP_NET_ADMIN/);
    assert.match(r.stderr, /setcap cap_net_raw,cap_net_admin=eip/);
    assert.doesNotMatch(r.stderr, STACK);
  });

  test('interface down: exit 7; libpcap refusing the filter: exit 2 (stand-in)', async () => {
    const down = await runs.down;
    assert.equal(down.code, ExitCode.noInterface);
    assert.match(down.stderr, /interface down0 is down/);
    const refused = await runs.refused;
    assert.equal(refused.code, ExitCode.usage);
    assert.match(refused.stderr, /libpcap refused the filter on fake0: expression rejects all packets/);
  });
});

describe('CLI error paths with the real cap', { skip: capSkip() }, () => {
  test('unknown interface: exit 7, listing lo', () => {
    const r = wirelens(['sniff', '-i', 'wirelens-none0']);
    assert.equal(r.code, ExitCode.noInterface);
    assert.match(r.stderr, /unknown interface 'wirelens-none0'\. Capture devices: .*\blo \(127\.0\.0\.1\)/);
  });

  test('interfaces lists lo as loopback, in text and JSON', () => {
    const t = wirelens(['interfaces']);
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stdout, /^\s+lo\s+loopback, up, running\s+127\.0\.0\.1\/8/m);
    const j = wirelens(['interfaces', '--json']);
    const lo = j.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { name: string; loopback: boolean; default: boolean })
      .find((i) => i.name === 'lo');
    assert.deepEqual([lo?.loopback, lo?.default], [true, false]);
  });

  test('no permission (as nobody): exit 6', {
    skip: !isRoot || !haveSetpriv() ? 'needs root and setpriv to drop to nobody' : false,
  }, () => {
    const r = spawnSync(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, 'sniff', '-i', 'lo'],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 10_000 },
    );
    if (r.status === ExitCode.input || /EACCES|Cannot find module/.test(r.stderr)) {
      // The checkout is not readable by nobody: nothing to learn here.
      return;
    }
    assert.equal(r.status, ExitCode.permission, r.stderr);
    assert.match(r.stderr, /no permission to capture on lo/);
    assert.match(r.stderr, /CAP_NET_RAW and CAP_NET_ADMIN/);
  });
});

function capSkip(): string | false {
  const r = spawnSync(process.execPath, ['-e', "require('cap')"], { cwd: ROOT, encoding: 'utf8' });
  return r.status === 0 ? false : 'the cap module does not load here';
}

function haveSetpriv(): boolean {
  return spawnSync('sh', ['-c', 'command -v setpriv']).status === 0;
}

describe('sniff internals', () => {
  test('the warm-up frames decode cleanly and make a whole connection', () => {
    const ends: string[] = [];
    const session = new Session(undefined, { tcpEnd: (c) => ends.push(`${c.orig.state}/${c.resp.state}`) });
    for (const f of warmUpFrames()) {
      const p = decodeFrame(f);
      assert.equal(p.status, 'decoded');
      assert.deepEqual(p.anomalies, [], `frame ${f.index}`);
      session.process(p);
    }
    session.finish();
    assert.deepEqual(ends, ['TIME-WAIT/CLOSED']);
  });

  test('connection phases for the live counts: new, established, closing, TIME-WAIT until 2×MSL, closed', () => {
    const conv = new Conversation({ addr: '10.0.0.1', port: 40000 }, { addr: '10.0.0.2', port: 80 }, 1000);
    const session = new Session();
    const phase = () => {
      const c = [...session.tcp.active()][0]!;
      return connPhase(c, conv.packets.at(-1)!.frame.ts);
    };
    const step = (p: ReturnType<Conversation['c']>) => session.process(p);
    step(conv.c(F.SYN, 100));
    assert.equal(phase(), 'new');
    step(conv.s(F.SYN | F.ACK, 500, 101));
    assert.equal(phase(), 'new');
    step(conv.c(F.ACK, 101, 501));
    assert.equal(phase(), 'established');
    step(conv.c(F.FIN | F.ACK, 101, 501));
    assert.equal(phase(), 'closing');
    step(conv.s(F.FIN | F.ACK, 501, 102));
    step(conv.c(F.ACK, 102, 502));
    const c = [...session.tcp.active()][0]!;
    assert.equal(connPhase(c, 1001), 'time-wait');
    assert.equal(connPhase(c, 1000 + 61), 'closed', 'after 2×MSL (60 s)');
  });

  test('the listener view hides only the SYN,ACK timing, and does not change the connection', () => {
    const conv = new Conversation();
    const session = new Session();
    for (const p of [
      conv.c(F.SYN, 1),
      conv.s(F.SYN | F.ACK, 9, 2),
      conv.c(F.ACK, 2, 10),
      conv.s(F.ACK, 10, 2),
    ])
      session.process(p);
    const c = [...session.tcp.active()][0]!;
    c.nextRespTs = 5;
    const v = withoutTimingEvidence(c);
    assert.equal(v.nextRespTs, undefined);
    assert.equal(c.nextRespTs, 5);
    assert.equal(v.id, c.id);
    assert.equal(v.orig.state, c.orig.state);
    assert.equal(v.irtt, c.irtt);
  });
});
