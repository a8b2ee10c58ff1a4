/**
 * TcpAnalysisContext remembers finished analyses for a reused 4-tuple, at most `limit` of them,
 * dropping the oldest registered first. Random register/take sequences against an array model,
 * across limits (0, tiny, larger than the run) and runs that empty the table in between.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TcpAnalysis, TcpAnalysisContext } from '../../../src/flow/tcp/analysis.js';
import { rng } from '../../helpers/rng.js';

for (const limit of [0, 1, 3, 50, 5000])
  test(`limit ${limit}: registrations and takes match an oldest-first model`, () => {
    const r = rng(limit + 1);
    const ctx = new TcpAnalysisContext(limit);
    const made = new Map<number, TcpAnalysis>();
    let model: number[] = [];
    let next = 1;
    for (let i = 0; i < 20_000; i++) {
      const op = r();
      if (op < 0.55) {
        const a = new TcpAnalysis();
        made.set(next, a);
        ctx.register(next, a);
        if (model.length >= limit && model.length > 0) model.shift();
        model.push(next++);
      } else if (op < 0.97) {
        // Take a remembered id (or, sometimes, one long gone).
        const id =
          model.length > 0 && r() < 0.8
            ? (model[Math.floor(r() * model.length)] as number)
            : Math.floor(r() * next);
        const want = model.includes(id) ? made.get(id) : undefined;
        assert.equal(ctx.take(id), want, `take ${id} at step ${i}`);
        model = model.filter((x) => x !== id);
      } else {
        // Empty it completely, then go on.
        for (const id of model) assert.equal(ctx.take(id), made.get(id));
        model = [];
      }
    }
    for (const id of model) assert.equal(ctx.take(id), made.get(id));
  });
