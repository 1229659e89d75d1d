/** The headless bot participant: see bot.ts. */
export { Bot } from './bot.js';
export type { BotOptions, BotStats, BotEvents, VideoLayerRequest, VideoLayersState } from './bot-types.js';
export type { LayerCounts } from './synthetic-media.js';
export type { BotNetworkOptions } from './bot-config.js';
export type { PublishOptions } from './publisher.js';
export type { KindStats, RemoteStats } from './receive-stats.js';
export { SignalingClient, signalingUrl } from './signaling-client.js';
export { LongPollSignalingClient, longPollUrl } from './longpoll-client.js';
export { connectSignaling, type SignalingMode } from './connect-signaling.js';
export type { BotSignaling, ClosedInfo, SignalingTransport } from './signaling-base.js';
export { describePath, sdpCandidates, type CandidateInfo, type IcePath, type SelectedPath } from './ice-path.js';
