/**
 * The media layer's contract with the layers above: what a room's media
 * (a router), a participant's media (a peer) and a published track (a
 * producer) look like from outside a media worker. Everything here is plain
 * data or a promise, because it crosses a thread boundary
 * (src/media/worker/worker-protocol.ts carries it); the werift objects stay
 * in the worker.
 *
 * The shapes follow mediasoup's: a Router per room, a transport pair per
 * participant (our MediaPeer: publish and subscribe peer connections), a
 * Producer per incoming track, a Consumer per (subscriber, producer).
 */
import type { MediaKind, SubscribedTrack, TrackSource } from '../protocol/messages.js';
import type { PathRole, StallReport } from './path-health.js';

/** A track a participant publishes, as the layers above know it. */
export interface ProducerInfo {
  readonly id: string;
  /** The publishing participant's id. */
  readonly ownerId: string;
  readonly kind: MediaKind;
  readonly source: TrackSource;
  /** The codec the publisher sends, e.g. `video/VP8`. */
  readonly mimeType: string;
}

/** One simulcast layer of a producer (issue 16), lowest first. */
export interface LayerInfo {
  /** Its rid (RFC 8851); '' for a producer without simulcast. */
  readonly rid: string;
  /** Pixels, from its last keyframe; 0 until one came (or for codecs whose size is not read: H.264). */
  readonly width: number;
  readonly height: number;
  /** bit/s of payload it arrives at, over the last second or two; 0 until measured (or while paused). */
  readonly bitrate: number;
}

export type PcRole = PathRole;
export type PcState = 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';

/** What asking for a subscribe repair did (path-health.ts). */
export type RepairOutcome = 'repairing' | 'already-repairing' | 'too-soon' | 'nothing-forwarded' | 'no-subscribe-connection';

/** A participant's media peer's events, in the order they happen to it. */
export interface PeerEvents {
  /** An offer for the subscribe connection (we are the offerer there): send it to the client. */
  subscribeOffer: [{ sdp: string; tracks: SubscribedTrack[] }];
  connectionState: [PcRole, PcState];
  /** A subscribe offer could not be made; the peer stays up and retries on the next change. */
  negotiationFailed: [Error];
  /** A producer this peer's browser cannot decode (the room's codec policy, codecs.ts): it is not forwarded. */
  trackUnavailable: [ProducerInfo, 'codec_unsupported'];
  /** A media path died without ICE noticing (path-health.ts); its repair starts now. */
  mediaStalled: [StallReport];
  /** The browser must restart ICE on its publish connection (it is the offerer there). */
  publishIceRestartNeeded: [];
  mediaRepaired: [{ pc: PcRole; afterMs: number }];
  /** The repair did not bring media back: the client has to rebuild its connections. */
  mediaRepairFailed: [StallReport];
  /**
   * The subscriber's receive-side bandwidth estimate (REMB, bit/s) when it changed by more than a tenth,
   * and the video bit/s (payload) forwarded to it over the last second; at most once a second.
   */
  receiveBandwidth: [estimate: number, received: number];
  closed: [];
}
