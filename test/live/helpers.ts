/**
 * Helpers for the live-capture tests: run the CLI, a stand-in for the `cap` binding that replays
 * a capture file (so the whole sniff path runs without root or libpcap), and what the machine allows.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository (dist/test/live → ../../..). */
export const ROOT = resolve(here, '../../..');
export const BIN = join(ROOT, 'bin/wirelens.js');
export const LAB = join(ROOT, 'fixtures/lab');

export interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run `wirelens ARGS` to completion. */
export function wirelens(args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 20_000): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', ...env },
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** `wirelens ARGS` in the background: runs alongside others (the CLI's startup dominates these tests). */
export function wirelensAsync(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Proc(process.execPath, [BIN, ...args], env).finish(30_000);
}

/** A running process whose output is collected; `waitFor` resolves when stderr or stdout matches. */
export class Proc {
  stdout = '';
  stderr = '';
  readonly exited: Promise<Run>;
  readonly pid: number;
  private readonly child;

  constructor(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...env } });
    this.pid = this.child.pid ?? -1;
    this.child.stdout.setEncoding('utf8').on('data', (d: string) => {
      this.stdout += d;
    });
    this.child.stderr.setEncoding('utf8').on('data', (d: string) => {
      this.stderr += d;
    });
    this.exited = new Promise((res) => {
      this.child.on('close', (code, signal) =>
        res({ code, signal, stdout: this.stdout, stderr: this.stderr }),
      );
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async waitFor(re: RegExp, timeoutMs = 10_000): Promise<void> {
    const t0 = Date.now();
    while (!re.test(this.stderr) && !re.test(this.stdout)) {
      if (!this.running) throw new Error(`process exited before ${re}: ${this.stderr}`);
      if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${re}; stderr: ${this.stderr}`);
      await sleep(20);
    }
  }

  signal(sig: NodeJS.Signals): void {
    if (this.running) process.kill(this.pid, sig);
  }

  /** Wait for the exit; kill it (by its pid) if it takes longer than `timeoutMs`. */
  async finish(timeoutMs = 10_000): Promise<Run> {
    const timer = setTimeout(() => this.signal('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Why the real-capture tests cannot run here, or undefined if they can. */
export function liveSkipReason(): string | undefined {
  if (!isRoot) return 'needs root (capturing and network namespaces)';
  const ns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (ns.status !== 0) return `ip netns is not available (${ns.error?.message ?? ns.stderr.trim()})`;
  const cap = spawnSync(process.execPath, ['-e', "require('cap')"], { cwd: ROOT, encoding: 'utf8' });
  if (cap.status !== 0) return `the cap module does not load (${cap.stderr.trim().split('\n')[0]})`;
  return undefined;
}

export function haveCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/**
 * A stand-in for the `cap` module (CommonJS, loaded through WIRELENS_CAP_MODULE). Devices:
 * `fake0` (10.0.1.2/24) replays the classic pcap named by $FAKE_CAP_PCAP, one packet per event-loop
 * turn, then stays open (as a real capture does) until closed; `lo` (loopback); `denied0`, `down0`
 * fail to open as libpcap does without permission and on a down interface; the filter
 * `tcp and udp` is refused as libpcap's optimizer refuses it.
 */
const FAKE_CAP = `'use strict';
const { EventEmitter } = require('node:events');
const fs = require('node:fs');
class Cap extends EventEmitter {
  open(device, filter, bufSize, buffer) {
    if (typeof device !== 'string' || typeof filter !== 'string' || !Buffer.isBuffer(buffer)) throw new TypeError('bad arguments');
    if (device === 'denied0') throw new Error('socket: Operation not permitted');
    if (device === 'down0') throw new Error('That device is not up');
    if (device !== 'fake0' && device !== 'lo') throw new Error('No such device exists');
    if (filter === 'tcp and udp') throw new Error('expression rejects all packets');
    const d = fs.readFileSync(process.env.FAKE_CAP_PCAP);
    const records = [];
    for (let o = 24; o + 16 <= d.length; ) {
      const cl = d.readUInt32LE(o + 8);
      records.push(d.subarray(o + 16, o + 16 + cl));
      o += 16 + cl;
    }
    let i = 0;
    const next = () => {
      if (this.closed) return;
      if (i < records.length) {
        const r = records[i++];
        const n = Math.min(r.length, buffer.length);
        r.copy(buffer, 0, 0, n);
        this.emit('packet', n, n < r.length);
      }
      this.timer = setTimeout(next, 0);
    };
    this.timer = setTimeout(next, 50);
    return 'ETHERNET';
  }
  close() {
    this.closed = true;
    clearTimeout(this.timer);
    return true;
  }
}
Cap.deviceList = () => [
  { name: 'fake0', addresses: [{ addr: '10.0.1.2', netmask: '255.255.255.0', broadaddr: '10.0.1.255' }] },
  { name: 'lo', addresses: [{ addr: '127.0.0.1', netmask: '255.0.0.0' }], flags: 'PCAP_IF_LOOPBACK' },
  { name: 'denied0', addresses: [] },
  { name: 'down0', addresses: [] },
];
module.exports = { Cap };
`;

/** Write the stand-in into `dir`; returns its path. */
export function writeFakeCap(dir: string): string {
  const p = join(dir, 'fake-cap.cjs');
  writeFileSync(p, FAKE_CAP);
  return p;
}

/** A module that fails to load the way `cap` does when libpcap's shared library is missing. */
export function writeBrokenCap(dir: string): string {
  const p = join(dir, 'broken-cap.cjs');
  writeFileSync(
    p,
    `const e = new Error('libpcap.so.0.8: cannot open shared object file: No such file or directory');
e.code = 'ERR_DLOPEN_FAILED';
throw e;
`,
  );
  return p;
}

/** Packet lines of NDJSON output (objects with a frame number), parsed. */
export function packetObjects(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{"n":'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export function packetLines(stdout: string): string[] {
  return stdout.split('\n').filter((l) => l.startsWith('{"n":'));
}

export interface Summary {
  connections: Record<string, unknown>[];
  listeners: { addr: string; port: number; findings: { kind: string }[] }[];
  capture: Record<string, unknown>;
}

/** The final `{"summary": …}` line. */
export function summaryOf(stdout: string): Summary {
  const line = stdout.split('\n').find((l) => l.startsWith('{"summary":'));
  if (!line) throw new Error(`no summary line in:\n${stdout.slice(-2000)}`);
  return (JSON.parse(line) as { summary: Summary }).summary;
}
