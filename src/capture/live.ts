/**
 * Live capture through libpcap, with the `cap` binding (npm `cap` 0.2.1). This is the only module
 * that loads `cap`; everything above it sees the same `Frame`s a capture file gives.
 *
 * What the binding gives, and what it does not (see its src/binding.cc):
 * - `Cap.deviceList()`: pcap_findalldevs' names, descriptions, IPv4/IPv6 addresses and only the
 *   loopback flag. Up/running come from /sys/class/net/NAME/flags when that exists (Linux).
 * - `open(device, filter, bufSize, buffer)`: pcap_create + pcap_activate with a fixed snap length
 *   of 65535, promiscuous mode, immediate mode, then pcap_compile/pcap_setfilter. The filter runs
 *   in the kernel: every packet delivered has matched it. `cap` passes the interface's *network
 *   address* where pcap_compile expects the netmask, so `ip broadcast` would be compiled wrong.
 * - a `packet` event `(nbytes, truncated)` per packet, the bytes copied into our buffer. Neither
 *   libpcap's timestamp nor the original length (pkthdr.len) reaches JavaScript, and there is no
 *   pcap_stats: no count of packets the kernel dropped.
 *
 * So: timestamps are taken when the event fires (`LiveClock`: a monotonic clock anchored to the wall
 * clock at start, kept to microseconds); the original length is the captured length (packets longer
 * than 65535 bytes are counted as possibly cut); a smaller snap length (`-s`) is emulated by cutting
 * the captured bytes and keeping the length libpcap gave as the original; drops are not known, but
 * the interface's own counters (/sys/class/net/IFACE/statistics) can be read before and after.
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseIp4, parseIp6 } from '../core/addr.js';
import { ExitCode, UserError } from '../core/errors.js';
import { escapeText } from '../core/escape.js';
import { tsSeconds } from '../core/time.js';
import { LinkType } from './linktype.js';
import type { Frame } from './types.js';

/** The snap length `cap` sets (pcap_set_snaplen(65535)); it cannot be changed. */
export const LIBPCAP_SNAPLEN = 65535;
/** libpcap's kernel buffer size we ask for (pcap_set_buffer_size). */
export const DEFAULT_BUFFER_SIZE = 8 * 1024 * 1024;
/** Environment variable naming the module to load instead of `cap` (tests; a stub, or a missing one). */
export const CAP_MODULE_ENV = 'WIRELENS_CAP_MODULE';

// ------------------------------------------------------------------------------------------------
// The binding's shape (it ships no types)

/** One address of a device, as `cap` reports it (text; IPv4 and IPv6 only). */
export interface CapAddress {
  readonly addr?: string;
  readonly netmask?: string;
  readonly broadaddr?: string;
  readonly dstaddr?: string;
}

export interface CapDevice {
  readonly name: string;
  readonly description?: string;
  readonly addresses?: readonly CapAddress[];
  /** 'PCAP_IF_LOOPBACK' or absent: the only flag the binding passes on. */
  readonly flags?: string;
}

export interface CapHandle {
  /** Returns the link type as a name ('ETHERNET', 'LINKTYPE_LINUX_SLL', ..., or 'Unknown linktype N'). */
  open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
  close(): boolean;
  on(event: 'packet', listener: (nbytes: number, truncated: boolean) => void): unknown;
}

export interface CapModule {
  readonly Cap: { new (): CapHandle; deviceList(): CapDevice[] };
}

// ------------------------------------------------------------------------------------------------
// Loading

const INSTALL_HINT =
  'install libpcap and its development files (Debian/Ubuntu: apt-get install libpcap-dev; ' +
  'Fedora/RHEL: dnf install libpcap-devel), then run npm rebuild cap in the wirelens directory ' +
  '(npm install cap if it is not installed: it is an optional dependency)';

/** The user-facing reason `cap` could not be loaded, from the loader's error. */
export function capLoadError(moduleId: string, e: unknown): UserError {
  const err = e as { code?: unknown; message?: unknown } | null;
  const code = typeof err?.code === 'string' ? err.code : '';
  const msg = typeof err?.message === 'string' ? err.message.split('\n')[0]! : String(e);
  const name =
    moduleId === 'cap' ? "the optional 'cap' module" : `the capture module '${escapeText(moduleId)}'`;
  let why: string;
  if (code === 'MODULE_NOT_FOUND' && /cap\.node/.test(msg)) {
    why = `${name} is installed but its native part was not built (libpcap-dev was missing when it was installed)`;
  } else if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') {
    why = `${name} is not installed`;
  } else if (/NODE_MODULE_VERSION|compiled against a different Node\.js version/.test(msg)) {
    why = `${name} was built for another version of Node.js (${escapeText(msg)})`;
  } else if (code === 'ERR_DLOPEN_FAILED' || /libpcap|shared object|cannot open/i.test(msg)) {
    why = `${name} could not load libpcap (${escapeText(msg)})`;
  } else {
    why = `${name} could not be loaded (${escapeText(msg)})`;
  }
  return new UserError(`live capture is not available: ${why}. To fix: ${INSTALL_HINT}.`, ExitCode.noCapture);
}

/**
 * Load the binding. `moduleId` defaults to $WIRELENS_CAP_MODULE, else `cap`; a path loads that
 * file instead (tests use it for a stub, or for a module that does not exist). Throws `UserError`
 * (ExitCode.noCapture) saying what to install.
 */
export function loadCap(moduleId: string = process.env[CAP_MODULE_ENV] || 'cap'): CapModule {
  const require = createRequire(import.meta.url);
  let mod: unknown;
  try {
    mod = require(moduleId);
  } catch (e) {
    throw capLoadError(moduleId, e);
  }
  const m = mod as Partial<CapModule> | null;
  if (typeof m?.Cap !== 'function' || typeof m.Cap.deviceList !== 'function') {
    throw capLoadError(moduleId, new Error('it does not export Cap and Cap.deviceList'));
  }
  return m as CapModule;
}

// ------------------------------------------------------------------------------------------------
// Interfaces

export interface LiveAddress {
  readonly addr: string;
  readonly family: 4 | 6;
  readonly netmask?: string;
  /** Prefix length from the netmask, when it is a contiguous mask. */
  readonly prefix?: number;
  readonly broadaddr?: string;
  readonly dstaddr?: string;
}

export interface LiveInterface {
  readonly name: string;
  readonly description?: string;
  readonly addresses: readonly LiveAddress[];
  readonly loopback: boolean;
  /** IFF_UP / IFF_RUNNING from /sys/class/net/NAME/flags; undefined when not known. */
  readonly up: boolean | undefined;
  readonly running: boolean | undefined;
}

const IFF_UP = 0x1;
const IFF_LOOPBACK = 0x8;
const IFF_RUNNING = 0x40;
export const SYSFS_NET = '/sys/class/net';

/** An interface name that is safe to put in a /sys path (no separators, not `.`/`..`). */
function sysfsSafe(name: string): boolean {
  return name.length > 0 && name.length < 64 && !name.includes('/') && name !== '.' && name !== '..';
}

function readSysfs(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1').trim();
  } catch {
    return undefined;
  }
}

/** Leading one-bits of a contiguous netmask (IPv4 or IPv6 text), or undefined. */
export function prefixLength(mask: string): number | undefined {
  let bytes: Uint8Array;
  const v4 = parseIp4(mask);
  if (v4 !== undefined) bytes = Uint8Array.of(v4 >>> 24, (v4 >>> 16) & 0xff, (v4 >>> 8) & 0xff, v4 & 0xff);
  else {
    const v6 = parseIp6(mask);
    if (!v6) return undefined;
    bytes = v6;
  }
  let n = 0;
  let ended = false;
  for (const b of bytes) {
    for (let bit = 7; bit >= 0; bit--) {
      const one = (b >> bit) & 1;
      if (one && ended) return undefined;
      if (one) n++;
      else ended = true;
    }
  }
  return n;
}

/**
 * IFF_RUNNING as `ip link` shows it (LOWER_UP): sysfs `flags` holds only the flags set by the
 * administrator, so it comes from `operstate`, as the kernel derives it (up, or unknown for
 * drivers that do not report it, such as loopback).
 */
function running(flags: number | undefined, operstate: string | undefined): boolean | undefined {
  if (flags === undefined || operstate === undefined) return undefined;
  if ((flags & IFF_UP) === 0) return false;
  if ((flags & IFF_RUNNING) !== 0) return true;
  return operstate === 'up' || operstate === 'unknown';
}

/** Capture devices with their addresses and flags, in libpcap's order. */
export function listInterfaces(cap: CapModule, sysfs = SYSFS_NET): LiveInterface[] {
  let devs: CapDevice[];
  try {
    devs = cap.Cap.deviceList();
  } catch (e) {
    throw new UserError(
      `cannot list capture devices: ${escapeText(e instanceof Error ? e.message : String(e))}`,
      ExitCode.noCapture,
    );
  }
  return devs.map((d) => {
    const flagsText = sysfsSafe(d.name) ? readSysfs(`${sysfs}/${d.name}/flags`) : undefined;
    const flags = flagsText !== undefined && /^0x[0-9a-f]+$/i.test(flagsText) ? Number(flagsText) : undefined;
    const operstate = sysfsSafe(d.name) ? readSysfs(`${sysfs}/${d.name}/operstate`) : undefined;
    const addresses: LiveAddress[] = [];
    for (const a of d.addresses ?? []) {
      if (typeof a.addr !== 'string') continue;
      const family = a.addr.includes(':') ? 6 : 4;
      const prefix = a.netmask !== undefined ? prefixLength(a.netmask) : undefined;
      addresses.push({
        addr: a.addr,
        family,
        ...(a.netmask !== undefined ? { netmask: a.netmask } : {}),
        ...(prefix !== undefined ? { prefix } : {}),
        ...(a.broadaddr !== undefined ? { broadaddr: a.broadaddr } : {}),
        ...(a.dstaddr !== undefined ? { dstaddr: a.dstaddr } : {}),
      });
    }
    return {
      name: d.name,
      ...(d.description !== undefined ? { description: d.description } : {}),
      addresses,
      loopback: d.flags === 'PCAP_IF_LOOPBACK' || (flags !== undefined && (flags & IFF_LOOPBACK) !== 0),
      up: flags === undefined ? undefined : (flags & IFF_UP) !== 0,
      running: running(flags, operstate),
    };
  });
}

/** The interface `sniff` uses without `-i`: the first one up (or not known to be down), not loopback, with an address. */
export function defaultInterface(list: readonly LiveInterface[]): LiveInterface | undefined {
  return list.find((i) => i.up !== false && !i.loopback && i.addresses.length > 0);
}

function interfaceSummary(list: readonly LiveInterface[]): string {
  return list
    .map((i) => {
      const a = i.addresses[0];
      return `${escapeText(i.name)}${a ? ` (${a.addr})` : ''}${i.up === false ? ' [down]' : ''}`;
    })
    .join(', ');
}

/** The interface called `name`, or a `UserError` (ExitCode.noInterface) listing the valid ones. */
export function findInterface(list: readonly LiveInterface[], name: string): LiveInterface {
  const i = list.find((x) => x.name === name);
  if (i) return i;
  throw new UserError(
    `unknown interface '${escapeText(name)}'. Capture devices: ${list.length > 0 ? interfaceSummary(list) : '(none)'} (wirelens interfaces shows them with their addresses)`,
    ExitCode.noInterface,
  );
}

/** The error for "no -i and no interface fits the default". */
export function noDefaultInterface(list: readonly LiveInterface[]): UserError {
  return new UserError(
    `no interface is up, not loopback and with an address: choose one with -i. Capture devices: ${list.length > 0 ? interfaceSummary(list) : '(none)'}`,
    ExitCode.noInterface,
  );
}

// ------------------------------------------------------------------------------------------------
// Interface counters: what the kernel counted on the interface, not only what the filter selected

export interface InterfaceCounters {
  readonly rxPackets: number;
  readonly txPackets: number;
  readonly rxDropped: number;
  readonly txDropped: number;
}

/** /sys/class/net/NAME/statistics, or undefined when the interface has none (pseudo-devices, not Linux). */
export function readInterfaceCounters(name: string, sysfs = SYSFS_NET): InterfaceCounters | undefined {
  if (!sysfsSafe(name)) return undefined;
  const dir = `${sysfs}/${name}/statistics`;
  const read = (f: string) => {
    const t = readSysfs(`${dir}/${f}`);
    return t !== undefined && /^\d+$/.test(t) ? Number(t) : undefined;
  };
  const rxPackets = read('rx_packets');
  const txPackets = read('tx_packets');
  const rxDropped = read('rx_dropped');
  const txDropped = read('tx_dropped');
  if (
    rxPackets === undefined ||
    txPackets === undefined ||
    rxDropped === undefined ||
    txDropped === undefined
  )
    return undefined;
  return { rxPackets, txPackets, rxDropped, txDropped };
}

/** `after - before`, field by field (undefined if either is). */
export function counterDelta(
  before: InterfaceCounters | undefined,
  after: InterfaceCounters | undefined,
): InterfaceCounters | undefined {
  if (!before || !after) return undefined;
  return {
    rxPackets: after.rxPackets - before.rxPackets,
    txPackets: after.txPackets - before.txPackets,
    rxDropped: after.rxDropped - before.rxDropped,
    txDropped: after.txDropped - before.txDropped,
  };
}

// ------------------------------------------------------------------------------------------------
// Time

/**
 * Timestamps for live packets, since `cap` does not pass libpcap's on: the wall clock read once at
 * start, plus a monotonic high-resolution clock since then (no jumps when the system clock is
 * set). Kept to microseconds: the time the packet event ran in Node, which lags the kernel's
 * receive time by the event loop's latency, so finer digits would be noise.
 */
export class LiveClock {
  private readonly sec0: number;
  private readonly usec0: number;
  private readonly hr0: [number, number];

  constructor(
    // Sub-millisecond, unlike Date.now(): the wall clock at process start plus the monotonic time since.
    wallMs: number = performance.timeOrigin + performance.now(),
    private readonly hrtime: () => [number, number] = () => process.hrtime(),
  ) {
    this.sec0 = Math.floor(wallMs / 1000);
    this.usec0 = Math.round((wallMs - this.sec0 * 1000) * 1000);
    this.hr0 = this.hrtime();
  }

  /** Now: integer seconds and nanoseconds (a multiple of 1000) since the Unix epoch. */
  now(): { sec: number; nsec: number } {
    const [s, ns] = this.hrtime();
    let usec = this.usec0 + Math.floor((ns - this.hr0[1]) / 1000) + (s - this.hr0[0]) * 1e6;
    let sec = this.sec0;
    if (usec >= 1e6 || usec < 0) {
      const carry = Math.floor(usec / 1e6);
      sec += carry;
      usec -= carry * 1e6;
    }
    return { sec, nsec: usec * 1000 };
  }
}

// ------------------------------------------------------------------------------------------------
// Capturing

/** LINKTYPE_* for the link-type name `open()` returns. */
export function linkTypeFromCap(name: string): number {
  switch (name) {
    case 'NULL':
      return LinkType.NULL;
    case 'ETHERNET':
      return LinkType.ETHERNET;
    case 'IEEE802_11_RADIO':
      return LinkType.IEEE802_11_RADIOTAP;
    case 'LINKTYPE_LINUX_SLL':
      return LinkType.LINUX_SLL;
    case 'RAW':
      return LinkType.RAW;
    default: {
      // 'Unknown linktype N' carries libpcap's DLT_ value; above the historical range DLT == LINKTYPE.
      const m = /(\d+)$/.exec(name);
      return m ? Number(m[1]) : -1;
    }
  }
}

export interface LiveOptions {
  readonly iface: string;
  /** BPF filter expression handed to libpcap ('' for none). Validate it first: libpcap's errors are terse. */
  readonly filter: string;
  /** Emulated snap length: captured bytes are cut to it, the original length kept. */
  readonly snaplen?: number | undefined;
  readonly bufferSize?: number | undefined;
  readonly clock?: LiveClock | undefined;
}

export interface LiveCounts {
  /** Packets libpcap delivered (all matched the filter: it runs in the kernel). */
  received: number;
  /** Packets cut by the emulated snap length (-s). */
  cutBySnaplen: number;
  /** Packets exactly at the binding's fixed 65535-byte snap length: they may have been longer. */
  atLibpcapSnaplen: number;
}

export interface LiveCapture {
  readonly iface: string;
  readonly linkType: number;
  readonly snaplen: number;
  readonly counts: Readonly<LiveCounts>;
  readonly stopped: boolean;
  /** Stop capturing (idempotent; safe inside the frame callback: no frame follows). */
  stop(): void;
}

export interface LiveHandlers {
  /** A packet. The frame's bytes are valid only during the call (the buffer is reused). */
  frame(f: Frame): void;
  /** `frame` threw: capture is already stopped. */
  error(e: unknown): void;
}

/** libpcap refused the filter on this interface (the interface itself opens). */
export class LiveFilterError extends UserError {
  constructor(
    readonly filter: string,
    readonly libpcapMessage: string,
    /** Link type of the interface (from opening it without the filter). */
    readonly linkType: number,
    iface: string,
  ) {
    super(
      `libpcap refused the filter on ${escapeText(iface)}: ${escapeText(libpcapMessage)}${/rejects all packets/.test(libpcapMessage) ? ' (the expression can never match)' : ''}`,
      ExitCode.usage,
    );
    this.name = 'LiveFilterError';
  }
}

/** The setcap command that lets the node binary capture without root. */
export const SETCAP_HINT = 'sudo setcap cap_net_raw,cap_net_admin=eip $(readlink -f $(which node))';

/** Map an error from `open()` (pcap_create, pcap_activate, ...) without a filter to a user error and exit code. */
export function classifyOpenError(iface: string, message: string): UserError {
  const name = escapeText(iface);
  const m = escapeText(message);
  if (/permission|not permitted|EPERM|EACCES/i.test(message)) {
    return new UserError(
      `no permission to capture on ${name} (${m}). Capturing needs root or the CAP_NET_RAW and CAP_NET_ADMIN capabilities: run wirelens as root (sudo), or give them to node once with: ${SETCAP_HINT} (every script run by that node binary can then capture)`,
      ExitCode.permission,
    );
  }
  if (/no such device/i.test(message)) {
    return new UserError(
      `no such interface: ${name} (${m}); wirelens interfaces lists the capture devices`,
      ExitCode.noInterface,
    );
  }
  if (/not up/i.test(message)) {
    return new UserError(
      `interface ${name} is down (${m}): bring it up (ip link set ${name} up) or choose another with -i`,
      ExitCode.noInterface,
    );
  }
  return new UserError(`cannot capture on ${name}: ${m}`, ExitCode.noCapture);
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Handles are kept for the life of the process: after a failed or closed `open()` the binding's
 * destructor would stop a poll handle it may never have started, and libuv keeps a pointer to the
 * handle's memory. Kept alive, they are never collected.
 */
const handles: CapHandle[] = [];

/** Start capturing. Throws `UserError` with the exit code for permission, interface and filter problems. */
export function openLive(cap: CapModule, opts: LiveOptions, handlers: LiveHandlers): LiveCapture {
  const clock = opts.clock ?? new LiveClock();
  const snaplen =
    opts.snaplen !== undefined && opts.snaplen > 0
      ? Math.min(opts.snaplen, LIBPCAP_SNAPLEN)
      : LIBPCAP_SNAPLEN;
  const buffer = Buffer.alloc(LIBPCAP_SNAPLEN);
  const handle = new cap.Cap();
  handles.push(handle);
  let linkName: string;
  try {
    linkName = handle.open(opts.iface, opts.filter, opts.bufferSize ?? DEFAULT_BUFFER_SIZE, buffer);
  } catch (e) {
    const msg = errorMessage(e);
    if (opts.filter.trim() === '') throw classifyOpenError(opts.iface, msg);
    // With a filter: open once without it. If that works, libpcap refused the filter.
    const probe = new cap.Cap();
    handles.push(probe);
    let probeLink: string;
    try {
      probeLink = probe.open(opts.iface, '', opts.bufferSize ?? DEFAULT_BUFFER_SIZE, buffer);
    } catch (e2) {
      throw classifyOpenError(opts.iface, errorMessage(e2));
    }
    probe.close();
    throw new LiveFilterError(opts.filter, msg, linkTypeFromCap(probeLink), opts.iface);
  }
  const linkType = linkTypeFromCap(linkName);
  const counts: LiveCounts = { received: 0, cutBySnaplen: 0, atLibpcapSnaplen: 0 };
  // A plain Uint8Array over the Buffer's memory: decoders see one array type, as with files.
  const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
  let stopped = false;
  const live: LiveCapture = {
    iface: opts.iface,
    linkType,
    snaplen,
    counts,
    get stopped() {
      return stopped;
    },
    stop() {
      if (stopped) return;
      stopped = true;
      handle.close();
    },
  };
  handle.on('packet', (nbytes: number) => {
    if (stopped) return;
    const t = clock.now();
    counts.received++;
    if (nbytes >= LIBPCAP_SNAPLEN) counts.atLibpcapSnaplen++;
    const caplen = Math.min(nbytes, snaplen);
    if (caplen < nbytes) counts.cutBySnaplen++;
    const frame: Frame = {
      index: counts.received,
      tsSec: t.sec,
      tsNsec: t.nsec,
      ts: tsSeconds(t.sec, t.nsec),
      caplen,
      origlen: nbytes,
      linkType,
      interfaceId: 0,
      data: bytes.subarray(0, caplen),
      fileOffset: -1,
    };
    try {
      handlers.frame(frame);
    } catch (e) {
      live.stop();
      handlers.error(e);
    }
  });
  return live;
}
