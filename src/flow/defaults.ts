/**
 * The tracking limits and timeouts every analysis starts from, in a module of their own with no
 * runtime imports: the command line reads them for its option defaults and help without loading
 * the trackers (each command loads what it runs only when it runs).
 */
import type { TcpTrackerOptions } from './tcp/tracker.js';
import type { UdpTrackerOptions } from './udp.js';

export const DEFAULT_TCP_OPTIONS: TcpTrackerOptions = {
  msl: 30,
  maxConnections: 250_000,
  idle: { opening: 120, established: 300, closed: 5 },
};

export const DEFAULT_UDP_OPTIONS: UdpTrackerOptions = { maxFlows: 250_000, idle: 60 };

/** What a session is made with when the user sets nothing (see flow/session.ts). */
export const DEFAULT_SESSION = {
  msl: DEFAULT_TCP_OPTIONS.msl,
  maxConnections: DEFAULT_TCP_OPTIONS.maxConnections,
  maxUdpFlows: DEFAULT_UDP_OPTIONS.maxFlows,
} as const;
