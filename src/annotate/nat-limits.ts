/**
 * The NAT matcher's limits, in a module with no runtime imports: the command line reads the
 * defaults for its options without loading the matcher.
 */
export interface NatLimits {
  /** Flows kept per capture; beyond it flows are counted, not matched. */
  readonly maxFlows: number;
  /** Packets fingerprinted per flow (its first N). */
  readonly packetsPerFlow: number;
  /** Payload bytes hashed per packet. */
  readonly payloadBytes: number;
  /** An ICMP echo flow (requester, responder, identifier) ends after this idle time, seconds. */
  readonly icmpIdle: number;
}

export const DEFAULT_NAT_LIMITS: NatLimits = {
  maxFlows: 200_000,
  packetsPerFlow: 16,
  payloadBytes: 64,
  icmpIdle: 60,
};
