import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tickOut, tickOut64, tickResolution, ticksToTime, timeToTicks } from '../../src/capture/ticks.js';

/** The exact answer, with bigint (tests only). */
function oracle(hi: number, lo: number, code: number): { sec: bigint; nsec: bigint } {
  const ticks = (BigInt(hi) << 32n) | BigInt(lo);
  const n = BigInt(code & 0x7f);
  const perSecond = code & 0x80 ? 1n << n : 10n ** n;
  const sec = ticks / perSecond;
  const nsec = ((ticks % perSecond) * 1_000_000_000n) / perSecond;
  return { sec, nsec };
}

let seed = 0x2545f491;
function rnd32(): number {
  // xorshift32
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed >>> 0;
}

/** Interesting 64-bit values: edges, today's epoch in several units, and random ones. */
function samples(): [number, number][] {
  const out: [number, number][] = [
    [0, 0],
    [0, 1],
    [0, 0xffffffff],
    [1, 0],
    [0x1fffff, 0xffffffff], // 2^53 - 1
    [0x200000, 0], // 2^53
    [0x200000, 1],
    [0xffffffff, 0xffffffff],
    [0x80000000, 0],
  ];
  for (const t of [1262893114341715n, 1767663089500330493n, 1418145369999999n * 1000n + 999n]) {
    out.push([Number(t >> 32n), Number(t & 0xffffffffn)]);
  }
  for (let i = 0; i < 3000; i++) out.push([rnd32() >>> (rnd32() % 33), rnd32()]);
  return out;
}

describe('pcapng timestamps without bigint', () => {
  const exactCodes = [0, 1, 3, 6, 9, 10, 12, 15, 18, 20, 0x80, 0x81, 0x8a, 0x94, 0x9e, 0x9f, 0xa0];
  for (const code of exactCodes) {
    test(`if_tsresol 0x${code.toString(16)} is exact`, () => {
      const res = tickResolution(code);
      for (const [hi, lo] of samples()) {
        ticksToTime(hi, lo, res);
        const want = oracle(hi, lo, code);
        const ctx = `ticks ${hi}:${lo}`;
        assert.equal(tickOut.nsec, Number(want.nsec), ctx);
        // Seconds are exact while they fit in a double's 53 bits.
        if (want.sec < 2n ** 53n) assert.equal(tickOut.sec, Number(want.sec), ctx);
        else assert.equal(tickOut.sec, Number(want.sec), ctx); // Number() rounds like our double
        assert.ok(Number.isInteger(tickOut.nsec) && tickOut.nsec >= 0 && tickOut.nsec < 1e9, ctx);
      }
    });
  }

  for (const code of [0xa1, 0xb0, 0xbf, 0xc0, 0xc8, 21, 25, 30]) {
    test(`if_tsresol 0x${code.toString(16)} is within 1 ns`, () => {
      const res = tickResolution(code);
      for (const [hi, lo] of samples()) {
        ticksToTime(hi, lo, res);
        const want = oracle(hi, lo, code);
        const got = BigInt(tickOut.sec) * 1_000_000_000n + BigInt(tickOut.nsec);
        const exact = want.sec * 1_000_000_000n + want.nsec;
        const diff = got > exact ? got - exact : exact - got;
        assert.ok(diff <= 1n, `ticks ${hi}:${lo}: ${got} vs ${exact}`);
      }
    });
  }

  test('ticks per second of a resolution', () => {
    assert.equal(tickResolution(6).ticksPerSecond, 1e6);
    assert.equal(tickResolution(9).ticksPerSecond, 1e9);
    assert.equal(tickResolution(3).ticksPerSecond, 1e3);
    assert.equal(tickResolution(0x8a).ticksPerSecond, 1024);
  });

  test('time to ticks and back, µs and ns, exact', () => {
    for (const [sec, nsec] of [
      [0, 0],
      [1, 1],
      [1262893114, 341715000],
      [1767663089, 500330493],
      [4294967295, 999999999],
      [2 ** 34, 123456789], // year 2514: still fits 64-bit nanoseconds
      [2 ** 38, 123456789], // only microseconds fit
    ] as const) {
      for (const perSecond of sec < 2 ** 38 ? [1e6, 1e9] : [1e6]) {
        timeToTicks(sec, nsec, perSecond);
        const ticks = (BigInt(tickOut64.hi) << 32n) | BigInt(tickOut64.lo);
        const sub = perSecond === 1e9 ? BigInt(nsec) : BigInt(Math.floor(nsec / 1000));
        assert.equal(ticks, BigInt(sec) * BigInt(perSecond) + sub, `${sec}.${nsec} at ${perSecond}`);
        ticksToTime(tickOut64.hi, tickOut64.lo, tickResolution(perSecond === 1e9 ? 9 : 6));
        assert.equal(tickOut.sec, sec);
        assert.equal(tickOut.nsec, perSecond === 1e9 ? nsec : Math.floor(nsec / 1000) * 1000);
      }
    }
  });
});
