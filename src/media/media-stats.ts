/**
 * This thread's media counters (each media worker has its own; the main
 * thread adds them up from the workers' load reports), read by /metrics and the benchmark. Plain
 * numbers on the hot path; prom-client reads them on scrape.
 */
export const mediaStats = {
  packetsReceived: 0,
  bytesReceived: 0,
  packetsForwarded: 0,
  bytesForwarded: 0,
  keyframeRequests: 0,
  /** Forwarded packets werift could not encrypt or send (dropped for that subscriber only). */
  sendErrors: 0,
  peerConnectionsOpen: 0,
};

export type MediaCounters = typeof mediaStats;
