/**
 * Watches one participant's two media paths and drives their repair, so a
 * path that dies without ICE noticing (issue 18) never stays dead in silence.
 *
 * - subscribe: what we forward must be acknowledged by the browser's receiver
 *   reports (DeliveryWatch). If not, we restart ICE on the subscribe
 *   connection (we are its offerer).
 * - publish: an unmuted publisher's packets must keep arriving. If none of
 *   its unmuted tracks has sent anything for PUBLISH_SILENCE_MS, the browser
 *   is asked to restart ICE on its publish connection (it is the offerer).
 *
 * A repair succeeds when media flows again on that path, and fails after
 * REPAIR_TIMEOUT_MS; the layer above tells the participant, whose page then
 * rebuilds its connections. Pure decisions with the clock passed in; the
 * MediaPeer carries out the restarts.
 */
import { TypedEmitter } from '../util/typed-emitter.js';
import { DeliveryWatch, type Stall } from './delivery-watch.js';

export type PathRole = 'publish' | 'subscribe';

/** Silence from every unmuted track of a publisher that counts as a dead path (browsers send 50 audio packets/s, video frames even when static). */
export const PUBLISH_SILENCE_MS = 5000;
/** How long a repair (ICE restart) may take to bring media back before it counts as failed. */
export const REPAIR_TIMEOUT_MS = 15_000;
/** A client asking for repairs again and again gets at most one this often. */
const MIN_REPAIR_INTERVAL_MS = 5000;

export interface StallReport extends Stall {
  readonly pc: PathRole;
  /** `server`: seen in what the server sends or receives; `client`: the page reported its inbound media stopped. */
  readonly detectedBy: 'server' | 'client';
  /** The candidate pair the server sends on, e.g. `udp 192.0.2.7:50123`, when known. */
  readonly path?: string;
}

export interface PathHealthEvents {
  /** A path stalled: a repair starts now. */
  stalled: [StallReport];
  /** Restart ICE on this connection (the peer does it for subscribe; the client must for publish). */
  restartIce: [PathRole];
  /** Media flows again, `afterMs` after the stall was detected. */
  repaired: [{ pc: PathRole; afterMs: number }];
  /** The repair did not bring media back within REPAIR_TIMEOUT_MS. */
  repairFailed: [StallReport];
}

/** What the health check reads from a publisher's track. */
export interface PublishedStream {
  readonly paused: boolean;
  /** ms timestamp of its last packet; undefined: none yet. */
  readonly lastPacketAt: number | undefined;
  /** When it was last unmuted (a browser may have sent nothing while muted: silence counts from here). */
  readonly unpausedAt: number;
}

interface Repair {
  readonly startedAt: number;
  readonly stall: StallReport;
}

export class PathHealth extends TypedEmitter<PathHealthEvents> {
  /** Fed by the subscribe side's consumers. */
  readonly delivery: DeliveryWatch;
  readonly #repairs: Partial<Record<PathRole, Repair>> = {};
  readonly #lastRepairAt: Record<PathRole, number> = { publish: -Infinity, subscribe: -Infinity };

  constructor(now: number) {
    super();
    this.delivery = new DeliveryWatch(now);
  }

  /** A repair is under way on this path. */
  repairing(pc: PathRole): boolean {
    return this.#repairs[pc] !== undefined;
  }

  /**
   * One look at both paths. `connected`: the connection's ICE/DTLS state is
   * connected (a path still being set up is not judged).
   */
  check(
    now: number,
    subscribe: { connected: boolean; path: () => string | undefined },
    publish: { connected: boolean; streams: Iterable<PublishedStream> },
  ): void {
    const streams = [...publish.streams];
    this.followRepair('subscribe', now, this.delivery.lastProgressAt);
    this.followRepair('publish', now, newestPacket(streams));
    if (subscribe.connected && !this.repairing('subscribe')) {
      const stall = this.delivery.check(now);
      if (stall) this.start({ ...stall, pc: 'subscribe', detectedBy: 'server', path: subscribe.path() }, now);
    }
    if (publish.connected && !this.repairing('publish')) {
      const stall = publishStall(streams, now);
      if (stall) this.start({ ...stall, pc: 'publish', detectedBy: 'server' }, now);
    }
  }

  /**
   * The page says what it receives stopped: repair the subscribe path, unless
   * a repair is under way or was made less than MIN_REPAIR_INTERVAL_MS ago,
   * or we forward nothing right now (then the senders' media is not reaching
   * us, and their publish paths are what is watched and repaired).
   */
  clientReportedStall(now: number): 'repairing' | 'already-repairing' | 'too-soon' | 'nothing-forwarded' {
    if (this.repairing('subscribe')) return 'already-repairing';
    if (now - this.#lastRepairAt.subscribe < MIN_REPAIR_INTERVAL_MS) return 'too-soon';
    if (!this.delivery.sending(now)) return 'nothing-forwarded';
    const silentForMs = now - this.delivery.lastProgressAt;
    this.start({ pc: 'subscribe', detectedBy: 'client', silentForMs, unacknowledgedPackets: 0, streams: 0, reportsArriving: false }, now);
    return 'repairing';
  }

  private start(stall: StallReport, now: number): void {
    this.#repairs[stall.pc] = { startedAt: now, stall };
    this.#lastRepairAt[stall.pc] = now;
    if (stall.pc === 'subscribe') this.delivery.reset(now);
    this.emit('stalled', stall);
    this.emit('restartIce', stall.pc);
  }

  /** Ends a repair when media is back (`progressAt` after its start) or when it ran out of time. */
  private followRepair(pc: PathRole, now: number, progressAt: number | undefined): void {
    const repair = this.#repairs[pc];
    if (!repair) return;
    if (progressAt !== undefined && progressAt > repair.startedAt) {
      delete this.#repairs[pc];
      this.emit('repaired', { pc, afterMs: now - repair.startedAt });
    } else if (now - repair.startedAt > REPAIR_TIMEOUT_MS) {
      delete this.#repairs[pc];
      if (pc === 'subscribe') this.delivery.reset(now);
      this.emit('repairFailed', repair.stall);
    }
  }
}

/** The newest packet among a publisher's streams, if any arrived. */
function newestPacket(streams: Iterable<PublishedStream>): number | undefined {
  let newest: number | undefined;
  for (const s of streams) if (s.lastPacketAt !== undefined && (newest === undefined || s.lastPacketAt > newest)) newest = s.lastPacketAt;
  return newest;
}

/**
 * The publish path is stalled when the publisher has unmuted tracks that
 * have sent before, and none of them has sent anything for PUBLISH_SILENCE_MS.
 */
export function publishStall(streams: Iterable<PublishedStream>, now: number): Stall | undefined {
  let newest = -Infinity;
  let count = 0;
  for (const s of streams) {
    if (s.paused || s.lastPacketAt === undefined) continue;
    count++;
    newest = Math.max(newest, s.lastPacketAt, s.unpausedAt);
  }
  if (count === 0 || now - newest <= PUBLISH_SILENCE_MS) return undefined;
  return { silentForMs: now - newest, unacknowledgedPackets: 0, streams: count, reportsArriving: false };
}
