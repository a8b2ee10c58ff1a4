/**
 * Random but deterministic TCP conversations for a differential test against tshark: handshakes
 * with and without window scaling (ISNs anywhere, often just below 2^32), new data, losses,
 * resends, partial and duplicate ACKs, ACKs of unseen data, keep-alives, probes, zero windows,
 * FINs, RSTs and SYNs again, at times from 50 µs to 300 ms apart. One client port per conversation.
 */
import { SERVER, type Seg } from './build.js';

/** A small linear congruential generator: the same seed gives the same conversations everywhere. */
export class Lcg {
  constructor(private state: number) {}
  next(): number {
    this.state = (Math.imul(this.state, 1103515245) + 12345) >>> 0;
    return (this.state >>> 8) / 16777216;
  }
  pick<T>(a: readonly T[]): T {
    return a[Math.floor(this.next() * a.length)] as T;
  }
}

interface Side {
  isn: number;
  nxt: number;
  ack: number;
  win: number;
}

const u = (x: number) => x >>> 0;

function conversation(rnd: Lcg, port: number, t0: number): { segs: Seg[]; end: number } {
  const segs: Seg[] = [];
  let t = t0;
  const cIsn = rnd.next() < 0.3 ? 2 ** 32 - Math.floor(rnd.next() * 3000) : Math.floor(rnd.next() * 2 ** 32);
  const sides: Record<'c' | 's', Side> = {
    c: { isn: u(cIsn), nxt: u(cIsn), ack: 0, win: rnd.pick([1000, 65535, 500]) },
    s: { isn: u(rnd.next() * 2 ** 32), nxt: 0, ack: 0, win: rnd.pick([1000, 65535, 300]) },
  };
  sides.s.nxt = sides.s.isn;
  const emit = (from: 'c' | 's', seq: number, ack: number, flags: string, len = 0, ws?: number) => {
    const g: Seg = { from, t, seq: u(seq), ack: u(ack), flags, len, win: sides[from].win, port };
    segs.push(ws === undefined ? g : { ...g, ws });
  };
  const later = () => {
    t += rnd.pick([0.05, 0.5, 1, 2, 5, 15, 25, 40, 300]);
  };
  const { c, s } = sides;
  if (rnd.next() < 0.8) {
    const cws = rnd.next() < 0.6 ? rnd.pick([0, 2, 7, 14]) : undefined;
    const sws = rnd.next() < 0.6 ? rnd.pick([0, 3, 7]) : undefined;
    emit('c', c.isn, 0, 'S', 0, cws);
    c.nxt = u(c.isn + 1);
    later();
    if (rnd.next() < 0.15) {
      emit('c', c.isn, 0, 'S', 0, cws);
      later();
    }
    emit('s', s.isn, c.nxt, 'SA', 0, sws);
    s.nxt = u(s.isn + 1);
    later();
    c.ack = s.nxt;
    s.ack = c.nxt;
    emit('c', c.nxt, c.ack, 'A');
    later();
  } else {
    c.nxt = u(c.isn + 1);
    s.nxt = u(s.isn + 1);
    c.ack = s.nxt;
    s.ack = c.nxt;
  }
  const steps = 10 + Math.floor(rnd.next() * 40);
  for (let i = 0; i < steps; i++) {
    const from = rnd.next() < 0.55 ? 'c' : 's';
    const me = sides[from];
    const peer = sides[from === 'c' ? 's' : 'c'];
    if (rnd.next() < 0.1) me.win = rnd.pick([0, me.win, me.win + 100, 1000, 65535]);
    const r = rnd.next();
    if (r < 0.35) {
      const len = rnd.pick([1, 10, 100, 1448, 300]);
      if (rnd.next() < 0.1) me.nxt = u(me.nxt + rnd.pick([100, 1448])); // not captured
      emit(from, me.nxt, me.ack, 'PA', len);
      me.nxt = u(me.nxt + len);
    } else if (r < 0.45) {
      const back = rnd.pick([1, 10, 100, 1448, 300]);
      emit(from, me.nxt - back, me.ack, 'A', Math.min(back, rnd.pick([1, 10, 100, 300, 1448])));
    } else if (r < 0.75) {
      me.ack = rnd.next() < 0.8 ? peer.nxt : u(peer.nxt - rnd.pick([1, 10, 100]));
      if (rnd.next() < 0.05) me.ack = u(peer.nxt + 100);
      emit(from, me.nxt, me.ack, 'A');
    } else if (r < 0.85) {
      emit(from, me.nxt, me.ack, 'A');
    } else if (r < 0.9) {
      if (rnd.next() < 0.5) emit(from, me.nxt - 1, me.ack, 'A', rnd.pick([0, 1]));
      else {
        emit(from, me.nxt, me.ack, 'A', 1);
        if (rnd.next() < 0.5) me.nxt = u(me.nxt + 1);
      }
    } else if (r < 0.95) {
      const len = rnd.pick([0, 0, 10]);
      emit(from, me.nxt, me.ack, 'FA', len);
      me.nxt = u(me.nxt + 1 + len);
    } else if (r < 0.97) {
      emit(from, me.nxt, me.ack, rnd.pick(['R', 'RA']));
    } else {
      const isn = rnd.next() < 0.5 ? me.isn : u(rnd.next() * 2 ** 32);
      emit(from, isn, from === 'c' ? 0 : me.ack, from === 'c' ? 'S' : 'SA');
      me.isn = isn;
      me.nxt = u(isn + 1);
    }
    later();
  }
  return { segs, end: t };
}

/** `n` conversations from `seed`, one after the other, client ports from 41000 (server port 80). */
export function randomConversations(seed: number, n: number): Seg[] {
  const rnd = new Lcg(seed);
  const out: Seg[] = [];
  let t = 0;
  for (let k = 0; k < n; k++) {
    const r = conversation(rnd, 41000 + k, t);
    out.push(...r.segs);
    t = r.end + 1000;
  }
  if (out.some((g) => g.port === SERVER.port)) throw new Error('port clash');
  return out;
}
