/**
 * The signaling protocol, shared by the server, the web client and the bots.
 *
 * Messages are JSON objects discriminated on `type` and validated at runtime
 * on both ends. The first client message is always `hello` carrying
 * PROTOCOL_VERSION; the server refuses other versions with
 * `protocol_version_unsupported` so an old cached page never half-works.
 */
import { z } from 'zod';
import { chatMessage, CHAT_HISTORY_LIMIT, knocker, MAX_CHAT_TEXT, moderationRequest, roomState } from './class-messages.js';
import { displayName, displayNameInput, id, leaveReason, mediaKind, role, trackSource } from './fields.js';

export { leaveReason, mediaKind, role, trackSource, type LeaveReason, type MediaKind, type Role, type TrackSource } from './fields.js';
export * from './class-messages.js';

export const PROTOCOL_VERSION = 1;
/** Largest message either side accepts (an SDP for a big room is ~20 KB). */
export const MAX_MESSAGE_BYTES = 256 * 1024;
/** Longest SDP either side accepts, in characters (a subscribe offer for a class of 100 is ~120,000). */
export const MAX_SDP_CHARS = 200_000;
/**
 * Most m-lines a participant's publish offer may have, and so most entries in
 * its `sources` and tracks it publishes: a browser sends 2 to 4 (microphone,
 * camera, a screen share and its sound), and stopped ones are reused.
 */
export const MAX_PUBLISH_TRACKS = 16;
/** The largest last-N a client may ask for (more than any room's participants). */
export const MAX_LAST_N = 1000;
/** Participants a client may put on stage at once. */
export const MAX_ON_STAGE = 16;
/** Participants a `receive-video` may give their own video constraints (every tile of a big grid page). */
export const MAX_VIDEO_CONSTRAINTS = 200;
/** The tallest picture a client may ask for, in pixels (8K). */
export const MAX_VIDEO_HEIGHT = 4320;

/**
 * One simulcast layer of a camera (RFC 8853 rid; W3C webrtc-pc
 * RTCRtpEncodingParameters): the page's sendEncodings, lowest first, and
 * the names the server's `video-layers` uses. As LiveKit's and Jitsi's
 * clients do, each halves the one above: 1/4, 1/2 and the full camera
 * resolution, so a 640x480 camera sends 160x120, 320x240 and 640x480.
 * `maxBitrate` (bit/s) keeps a student's uplink within reach: the three
 * together 1.3 Mbit/s; a thumbnail costs its subscriber 100 kbit/s, so a page of 16 thumbnails and one speaker on stage stays within ~2.5 Mbit/s. Screen shares send one layer (full resolution: text must stay legible).
 */
export interface SimulcastLayer {
  readonly rid: string;
  readonly scaleResolutionDownBy: number;
  readonly maxBitrate: number;
}
/**
 * The lowest layer a camera sends is what grid thumbnails show: at most this
 * many frames a second (RTCRtpEncodingParameters.maxFramerate), the stage's
 * layers keep the camera's rate. A class grid is mostly still faces; at
 * 10 fps instead of 30 each thumbnail costs a third of the frames, and an SFU
 * forwards packets, not bits: in a class of 30 the thumbnails are most of
 * the server's work (docs/benchmark.md, large-class).
 */
export const THUMBNAIL_MAX_FRAMERATE = 10;

export const CAMERA_SIMULCAST_LAYERS: readonly SimulcastLayer[] = [
  { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 100_000 },
  { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 300_000 },
  { rid: 'f', scaleResolutionDownBy: 1, maxBitrate: 900_000 },
];
/** Most simulcast layers one publish m-line may declare (a=rid): browsers send 2 or 3. */
export const MAX_SIMULCAST_LAYERS = 4;
/** A rid as the server accepts it (RFC 8851 10: alphanumerics, '-' and '_'; here at most 16 characters). */
export const RID_PATTERN = /^[A-Za-z0-9_-]{1,16}$/;
const rid = z.string().regex(RID_PATTERN);
/** A tile's height in device pixels: the server sends the smallest layer at least about this tall. */
const videoConstraint = z.object({ maxHeight: z.number().int().min(0).max(MAX_VIDEO_HEIGHT) });

const sdp = z.string().min(1).max(MAX_SDP_CHARS);

export const participantInfo = z.object({
  id,
  displayName,
  role,
  audioMuted: z.boolean(),
  videoMuted: z.boolean(),
  /** Muted by a moderator and not allowed to unmute (hard mute); a video lock also stops screen shares. */
  audioLocked: z.boolean(),
  videoLocked: z.boolean(),
  /** Server time the hand went up (strictly increasing within a room, so it orders the queue); null: down. */
  handRaisedAt: z.number().nullable(),
  joinedAt: z.number(),
  /** Its connection dropped; the server holds it a few seconds in case it comes back (others may show it as reconnecting). */
  connectionInterrupted: z.boolean().default(false),
  /** It came with a token user id, so a moderator can remove and block it (the People panel offers it only then). */
  blockable: z.boolean().default(false),
  /** The picture from its token (`context.user.avatar`, http or https only), shown while its camera is off. */
  avatarUrl: z.string().max(2048).optional(),
});
export type ParticipantInfo = z.infer<typeof participantInfo>;

/** What RTCPeerConnection accepts as an ICE server URL; anything else makes its constructor throw. */
const ICE_URL = /^(stun|stuns|turn|turns):[^\s]+$/;
const iceUrl = z.string().regex(ICE_URL, { error: (issue) => `'${String(issue.input).slice(0, 80)}' is not a stun:, stuns:, turn: or turns: URL` });

/**
 * One RTCIceServer as the page hands it to RTCPeerConnection. The server
 * checks ICE_SERVERS_JSON against this same schema at start
 * (src/config/schema.ts), so a value the page would drop never gets that far.
 */
export const iceServer = z
  .object({
    urls: z.union([iceUrl, z.array(iceUrl).min(1)]),
    username: z.string().optional(),
    credential: z.string().optional(),
  })
  .refine((s) => !(Array.isArray(s.urls) ? s.urls : [s.urls]).some((u) => u.startsWith('turn')) || (s.username !== undefined && s.credential !== undefined), {
    error: 'a turn: or turns: server needs a username and a credential',
  });
export type IceServer = z.infer<typeof iceServer>;

const candidate = z.object({
  candidate: z.string().max(2000),
  sdpMid: z.string().max(64).nullable().optional(),
  sdpMLineIndex: z.number().int().min(0).max(1000).nullable().optional(),
  usernameFragment: z.string().max(256).nullable().optional(),
});

/** Which of the participant's two peer connections a message is about. */
const pcRole = z.enum(['publish', 'subscribe']);


// ---- client -> server -------------------------------------------------------

export const clientMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('hello'),
    protocolVersion: z.number().int(),
    room: z.string().max(200),
    tenant: z.string().max(200).optional(),
    displayName: displayNameInput,
    token: z.string().max(16_384).optional(),
    /** From the last welcome in this room: rejoins after a lost connection even if the token has expired since. */
    rejoinTicket: z.string().max(128).optional(),
    audioMuted: z.boolean().default(false),
    videoMuted: z.boolean().default(false),
    /**
     * Video codecs this client decodes (mime types, RTCRtpReceiver.getCapabilities('video')). A camera
     * sent in a codec not listed is announced with `track-unavailable` instead of offered. Absent: every
     * codec the server negotiates (VP8, H.264).
     */
    receiveCodecs: z.array(z.string().max(64)).max(32).optional(),
    /**
     * After a lost connection: continue this participant's session instead of joining again.
     * `received` counts the server's messages since the first hello (pongs and `resumed` aside). When the server cannot
     * resume, it joins afresh from the rest of the hello (a `welcome` instead of `resumed`).
     * Send nothing else until one of the two arrives.
     */
    resume: z
      .object({ participantId: id, secret: z.string().min(16).max(128), received: z.number().int().min(0) })
      .optional(),
  }),
  z.object({
    type: z.literal('publish-offer'),
    sdp,
    /** mid -> what that m-line carries; every mid must be one of the offer's (else `sdp_invalid`). */
    sources: z
      .record(z.string().max(64), trackSource)
      .refine((sources) => Object.keys(sources).length <= MAX_PUBLISH_TRACKS, { message: `at most ${MAX_PUBLISH_TRACKS} sources` }),
  }),
  z.object({ type: z.literal('subscribe-answer'), sdp }),
  z.object({ type: z.literal('ice-candidate'), pc: pcRole, candidate }),
  /**
   * What the page receives stopped though its sender is unmuted: the server restarts ICE on the
   * subscribe connection (it is the offerer there; a new subscribe-offer follows). At most one repair
   * every few seconds; more are ignored.
   */
  z.object({ type: z.literal('restart-ice'), pc: z.literal('subscribe'), reason: z.string().max(200).optional() }),
  z.object({ type: z.literal('set-muted'), kind: mediaKind, muted: z.boolean() }),
  z.object({ type: z.literal('set-display-name'), displayName: displayNameInput }),
  z.object({ type: z.literal('moderate'), request: moderationRequest }),
  /** Without `to`: to the room (kept for late joiners); with it: to that participant only. */
  z.object({ type: z.literal('chat-send'), text: z.string().trim().min(1).max(MAX_CHAT_TEXT), to: id.optional() }),
  z.object({ type: z.literal('set-hand-raised'), raised: z.boolean() }),
  /**
   * Whose video to receive (Jitsi's receiver video constraints): at most `lastN` other participants'
   * (-1: everyone's), those `onStage` first (pinned, shown large), then screen shares, then recent
   * speakers, then in join order. Audio is always everyone's. `lastN` absent (and until sent): the
   * server's CHANNEL_LAST_N.
   *
   * Which simulcast layer of each camera (Jitsi's `defaultConstraints` / `constraints`): the smallest
   * at least about as tall as the tile showing it. `constraints[participantId].maxHeight` for that
   * participant's camera, else `maxHeight` for everyone's; absent, and for those on stage without a
   * constraint of their own: no limit (the highest layer). 0: no video from them at all.
   */
  z.object({
    type: z.literal('receive-video'),
    lastN: z.number().int().min(-1).max(MAX_LAST_N).optional(),
    onStage: z.array(id).max(MAX_ON_STAGE).default([]),
    maxHeight: z.number().int().min(0).max(MAX_VIDEO_HEIGHT).optional(),
    constraints: z
      .record(id, videoConstraint)
      .refine((c) => Object.keys(c).length <= MAX_VIDEO_CONSTRAINTS, { message: `at most ${MAX_VIDEO_CONSTRAINTS} constraints` })
      .optional(),
  }),
  z.object({ type: z.literal('leave') }),
  /** `received`: the server's messages we have so far (see hello.resume); the server stops keeping them. */
  z.object({ type: z.literal('ping'), nonce: z.number().optional(), received: z.number().int().min(0).optional() }),
  z.object({
    type: z.literal('client-report'),
    code: z.string().max(64),
    detail: z.string().max(1000).optional(),
  }),
]);
export type ClientMessage = z.infer<typeof clientMessage>;
export type ClientMessageInput = z.input<typeof clientMessage>;
/** What a client says to its room: everything but hello and ping, which belong to the signaling session itself. */
export type RoomMessage = Exclude<ClientMessage, { type: 'hello' | 'ping' }>;

// ---- server -> client -------------------------------------------------------

export const subscribedTrack = z.object({
  mid: z.string(),
  participantId: id,
  trackId: id,
  kind: mediaKind,
  source: trackSource,
});
export type SubscribedTrack = z.infer<typeof subscribedTrack>;

export const serverMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('welcome'),
    protocolVersion: z.number().int(),
    participantId: id,
    room: z.string(),
    tenant: z.string().optional(),
    self: participantInfo,
    participants: z.array(participantInfo),
    iceServers: z.array(iceServer),
    serverVersion: z.string(),
    /** With token auth: send it in the next hello after a lost connection (single use). */
    rejoinTicket: z.string().optional(),
    /** Send it back in `hello.resume` after a lost connection, to continue this session. */
    resumeSecret: z.string().optional(),
  }),
  /**
   * The session continues after a lost connection (not sequenced itself). `received` counts the
   * client's messages since its first hello (pings aside): the client sends again those after it. The server's
   * messages the client missed follow at once.
   */
  z.object({ type: z.literal('resumed'), participantId: id, received: z.number().int().min(0) }),
  z.object({ type: z.literal('publish-answer'), sdp }),
  /**
   * Our media from the page stopped arriving (a path that died without ICE noticing): restart ICE on
   * the publish connection (the page is the offerer there) with a new publish-offer.
   */
  z.object({ type: z.literal('restart-ice'), pc: z.literal('publish') }),
  z.object({ type: z.literal('subscribe-offer'), sdp, tracks: z.array(subscribedTrack) }),
  /**
   * A track of another participant that this client will not receive, and why: `codec_unsupported`
   * (`codec`, e.g. video/H264, is not in the hello's receiveCodecs). The page shows it on the tile.
   */
  z.object({
    type: z.literal('track-unavailable'),
    participantId: id,
    trackId: id,
    kind: mediaKind,
    source: trackSource,
    reason: z.enum(['codec_unsupported']),
    codec: z.string(),
  }),
  z.object({ type: z.literal('participant-joined'), participant: participantInfo }),
  z.object({ type: z.literal('participant-updated'), participant: participantInfo }),
  z.object({ type: z.literal('participant-left'), participantId: id, reason: leaveReason }),
  /**
   * Dynacast: the simulcast layers (rids) of this client's camera `trackId` that somebody receives now.
   * The page sets `active: false` on the other encodings until they are wanted again, so nobody's
   * uplink carries a layer nobody watches. The lowest layer stays active even when nobody watches
   * (a subscriber who starts watching gets a picture at once, and the server sees the camera alive).
   */
  z.object({ type: z.literal('video-layers'), trackId: id, active: z.array(rid).max(MAX_SIMULCAST_LAYERS) }),
  /** Who has the floor now (from the audio levels of everyone's packets), or nobody since they left; to everyone, and after welcome. */
  z.object({ type: z.literal('dominant-speaker'), participantId: id.nullable() }),
  z.object({ type: z.literal('room-state'), state: roomState }),
  /** Room and private messages; `history` marks the backlog sent once after welcome. */
  z.object({ type: z.literal('chat'), messages: z.array(chatMessage).max(CHAT_HISTORY_LIMIT), history: z.boolean() }),
  /**
   * To the knocking client: you are waiting in the lobby (a welcome or a lobby_denied error follows).
   * Sent again whenever `moderatorPresent` changes: without a moderator in the room nobody can let
   * you in yet, and the page says so.
   */
  z.object({ type: z.literal('lobby-waiting'), moderatorPresent: z.boolean().default(true) }),
  /** To moderators: who is waiting in the lobby now, oldest first. */
  z.object({ type: z.literal('lobby'), waiting: z.array(knocker).max(1000) }),
  /** `received`: the client's messages the server has so far; the client stops keeping them. */
  z.object({ type: z.literal('pong'), nonce: z.number().optional(), received: z.number().int().min(0).optional() }),
  z.object({ type: z.literal('error'), code: z.string(), message: z.string(), fatal: z.boolean() }),
]);
export type ServerMessage = z.infer<typeof serverMessage>;

export type ClientMessageOf<T extends ClientMessage['type']> = Extract<ClientMessage, { type: T }>;
export type ServerMessageOf<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

export type ParseResult<T> = { ok: true; message: T } | { ok: false; error: string; tooLarge?: boolean };

function parseWith<T>(schema: z.ZodType<T>, raw: string): ParseResult<T> {
  // The limit is in UTF-8 bytes; raw.length counts UTF-16 units (1-3 bytes each), so count only near the limit.
  const bytes = raw.length * 3 <= MAX_MESSAGE_BYTES ? raw.length : new TextEncoder().encode(raw).byteLength;
  if (bytes > MAX_MESSAGE_BYTES) {
    return { ok: false, tooLarge: true, error: `message of ${bytes} bytes exceeds ${MAX_MESSAGE_BYTES}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, error: 'message is not valid JSON' };
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'message';
    const type = typeof json === 'object' && json !== null && 'type' in json ? String((json as { type: unknown }).type) : '?';
    return { ok: false, error: `invalid '${type}' message at ${where}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, message: result.data };
}

export const parseClientMessage = (raw: string): ParseResult<ClientMessage> => parseWith(clientMessage, raw);
export const parseServerMessage = (raw: string): ParseResult<ServerMessage> => parseWith(serverMessage, raw);
