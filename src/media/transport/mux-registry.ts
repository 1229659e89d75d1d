/**
 * Which werift peer connection each server ICE ufrag belongs to, and the
 * live sessions routed to it. Shared by the UDP and TCP front ends.
 */
import { MuxSession, type MuxTransportKind } from './mux-session.js';
import { rewriteMappedAddress } from './stun-route.js';

export interface MuxTarget {
  readonly internalPort: number;
  /** The server's ICE password for this connection, to re-sign rewritten STUN responses. */
  readonly icePassword: string;
}

/** A session nobody has sent through for this long is closed (ICE consent checks come every ~5 s). */
export const SESSION_IDLE_MS = 30_000;

export class MuxRegistry {
  readonly #targets = new Map<string, MuxTarget>();
  readonly #sessions = new Map<string, Set<MuxSession>>();
  readonly #sweep: NodeJS.Timeout;

  constructor(readonly internalAddress: string) {
    this.#sweep = setInterval(() => this.sweep(), SESSION_IDLE_MS / 3);
    this.#sweep.unref();
  }

  register(serverUfrag: string, target: MuxTarget): void {
    const previous = this.#targets.get(serverUfrag);
    if (previous && previous.internalPort !== target.internalPort) this.closeSessions(serverUfrag);
    this.#targets.set(serverUfrag, target);
  }

  unregister(serverUfrag: string): void {
    this.#targets.delete(serverUfrag);
    this.closeSessions(serverUfrag);
  }

  get targetCount(): number {
    return this.#targets.size;
  }

  /** Opens a session for a first packet, or undefined when the ufrag is not ours. */
  open(
    serverUfrag: string,
    remote: { address: string; port: number },
    transport: MuxTransportKind,
    candidateType: string,
    sendOut: (data: Buffer) => void,
  ): MuxSession | undefined {
    const target = this.#targets.get(serverUfrag);
    if (!target) return undefined;
    const session = new MuxSession(serverUfrag, transport, candidateType, this.internalAddress, target.internalPort, (data) =>
      sendOut(data[0]! < 2 ? rewriteMappedAddress(data, remote.address, remote.port, target.icePassword) : data),
    );
    let set = this.#sessions.get(serverUfrag);
    if (!set) this.#sessions.set(serverUfrag, (set = new Set()));
    set.add(session);
    return session;
  }

  /** Sessions now, by transport and candidate type, for metrics. */
  sessionCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const set of this.#sessions.values()) {
      for (const s of set) {
        const key = s.candidateType === 'relay' ? 'relay' : s.transport;
        counts[key] = (counts[key] ?? 0) + 1;
      }
    }
    return counts;
  }

  close(): void {
    clearInterval(this.#sweep);
    for (const ufrag of [...this.#sessions.keys()]) this.closeSessions(ufrag);
    this.#targets.clear();
  }

  private closeSessions(serverUfrag: string): void {
    for (const s of this.#sessions.get(serverUfrag) ?? []) s.close();
    this.#sessions.delete(serverUfrag);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [ufrag, set] of this.#sessions) {
      for (const s of set) {
        if (s.closed || now - s.lastSeen > SESSION_IDLE_MS) {
          s.close();
          set.delete(s);
        }
      }
      if (set.size === 0) this.#sessions.delete(ufrag);
    }
  }
}
