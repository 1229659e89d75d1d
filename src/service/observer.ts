/**
 * What the service layer tells whoever watches it (the metrics at the edge),
 * without knowing about Prometheus.
 */
export interface ServiceObserver {
  /** A join (hello) was refused, with the catalogue code. */
  joinRefused(code: string): void;
  /** A browser reported a problem of its own (ICE failure, camera, signaling fallback). */
  clientReport(code: string): void;
  /** A participant's message was refused with rate_limited, by the kind of limit (participant-limits.ts). */
  rateLimited(kind: string): void;
  /** A media path stalled without ICE noticing, and what became of its repair. */
  mediaStall(pc: 'publish' | 'subscribe', outcome: 'detected' | 'repaired' | 'failed'): void;
}

export const NO_OBSERVER: ServiceObserver = {
  joinRefused: () => undefined,
  clientReport: () => undefined,
  rateLimited: () => undefined,
  mediaStall: () => undefined,
};
