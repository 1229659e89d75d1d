/** Shapes shared by the doctor's checks, runner and printer. */
import type { ServerMessageOf } from '../../protocol/messages.js';

export type Status = 'pass' | 'fail' | 'warn' | 'skip';

/** The check groups, in the order they run (the 1-7). */
export const GROUPS = ['network', 'web', 'signaling', 'token', 'media', 'health', 'kube'] as const;
export type Group = (typeof GROUPS)[number];

export interface CheckResult {
  readonly group: Group;
  /** Short name printed in the second column, e.g. `websocket`. */
  readonly name: string;
  readonly status: Status;
  /** What was observed: status code, latency, body excerpt, addresses. */
  readonly evidence: string;
  /** The likely fix, for anything but a pass. */
  readonly fix?: string;
  readonly latencyMs?: number;
  /** Machine-readable details for --json (status codes, paths, counts). */
  readonly data?: Record<string, unknown>;
}

export interface DoctorOptions {
  /** The public URL with a trailing slash: `https://host/jitsi/`. */
  readonly url: URL;
  readonly json: boolean;
  readonly token?: string;
  /** Mint tokens with this secret (and JWT_APP_ID / --app-id). */
  readonly secretFile?: string;
  readonly appId?: string;
  readonly room?: string;
  readonly tenant?: string;
  readonly kube: boolean;
  readonly namespace?: string;
  /** --media-port: the first media UDP port (MEDIA_UDP_PORT) the kube checks look for; default: the pods' setting. */
  readonly mediaUdpPort?: number;
  /** --media-workers: media workers (MEDIA_WORKERS), one UDP and one TCP port each; default: the pods' setting. */
  readonly mediaWorkers?: number;
  /** Per-step timeout (HTTP request, WebSocket handshake, each join step). */
  readonly timeoutMs: number;
  /** Bots keep media on 127.0.0.1 with no outside lookups (a server on this machine; tests). */
  readonly loopback: boolean;
  /** Bearer token for <base>metrics when the server sets METRICS_TOKEN (the media-stalls check). */
  readonly metricsToken?: string;
  /** Groups to run; default all (kube only with --kube). */
  readonly only: readonly Group[];
  readonly env: NodeJS.ProcessEnv;
}

/** What earlier checks learned, for later ones. */
export interface DoctorContext {
  /** DNS and TCP worked: HTTP checks can run. */
  reachable: boolean;
  /** The WebSocket upgrade gave 101: bots can join. */
  websocket: boolean;
  /** The long-poll route reaches Confab: bots can join over the fallback when the WebSocket cannot. */
  longPoll?: boolean;
  /** The welcome a probe participant got (ICE servers, server version). */
  welcome?: ServerMessageOf<'welcome'>;
  /** The token each bot presents, when the server needs one. */
  botToken?: string;
  /** The room the bots join. */
  mediaRoom?: string;
  /** A UDP media port the server offered the bots (their room's media worker's; worker 0's only with one worker). */
  mediaUdpPort?: number;
}

export type Report = (result: CheckResult) => void;
