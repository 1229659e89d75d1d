/** The bot's options, events and stats shapes (see bot.ts). */
import type { ParticipantInfo, ServerMessageOf, SubscribedTrack } from '../protocol/messages.js';
import type { BotNetworkOptions } from './bot-config.js';
import type { SignalingMode } from './connect-signaling.js';
import type { PublishOptions } from './publisher.js';
import type { RemoteStats } from './receive-stats.js';
import type { LayerCounts } from './synthetic-media.js';

export interface BotOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:8000/`. */
  readonly url: string;
  readonly room: string;
  readonly tenant?: string;
  readonly displayName: string;
  /** Jitsi-style JWT, sent in the hello (needed when the server has ENABLE_AUTH=1). */
  readonly token?: string;
  readonly publish?: PublishOptions;
  readonly network?: BotNetworkOptions;
  /** How to signal: 'websocket' (the default), 'long-poll', or 'auto' (WebSocket, else long-poll, as browsers do). */
  readonly signaling?: SignalingMode;
  readonly audioMuted?: boolean;
  readonly videoMuted?: boolean;
  /** Bound on each join step (signaling, negotiation, ICE+DTLS). Default 10 s. */
  readonly timeoutMs?: number;
  /** Sees each SDP the server sends (after network.icePath filtering), e.g. to report its candidates when ICE fails. */
  readonly onRemoteSdp?: (sdp: string, pc: 'publish' | 'subscribe') => void;
}

export interface BotEvents {
  participantJoined: [ParticipantInfo];
  participantUpdated: [ParticipantInfo];
  participantLeft: [string, ServerMessageOf<'participant-left'>['reason']];
  subscribed: [SubscribedTrack[]];
  // Not named 'error': EventEmitter throws on an 'error' event nobody listens to.
  serverError: [ServerMessageOf<'error'>];
  closed: [{ code: number; reason: string }];
  /** The server said which layers of our camera somebody receives (dynacast). */
  videoLayers: [VideoLayersState];
  /** Our peer connections were made again after the server moved our room's media to another worker (media_worker_restarted). */
  mediaRebuilt: [];
}

export interface BotStats {
  readonly participantId: string;
  readonly joinStartedAt: number;
  readonly welcomeAt: number;
  readonly publishConnectedAt: number | undefined;
  readonly sent: {
    audio: { packets: number; bytes: number };
    video: { packets: number; bytes: number };
    /** Per simulcast layer (rid) of our camera; empty without simulcast. */
    videoLayers: Record<string, LayerCounts>;
  };
  /** Keyed by remote participant id. */
  readonly remotes: Record<string, RemoteStats>;
  readonly unattributedPackets: number;
}

/** Which simulcast layers a receiver asks for (receive-video's maxHeight and constraints). */
export interface VideoLayerRequest {
  /** Pixels: the smallest layer at least about this tall, for everyone's camera; 0: no video. */
  readonly maxHeight?: number;
  /** Per participant id, overriding maxHeight. */
  readonly constraints?: Readonly<Record<string, { maxHeight: number }>>;
}

/** The server's last `video-layers` message for our camera, and when it came (epoch ms). */
export interface VideoLayersState {
  readonly trackId: string;
  readonly active: readonly string[];
  readonly at: number;
}
