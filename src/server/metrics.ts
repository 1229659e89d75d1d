/**
 * Prometheus metrics at <base>/metrics (prom-client). Live numbers (rooms,
 * participants, tracks, media sessions) are read from the server at scrape
 * time; the media hot path only bumps plain counters (media-stats.ts) in
 * each media worker, which reports them once a second; their sums are turned
 * into Prometheus counters here, and each worker's load into confab_worker_*.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { MediaCounters } from '../media/media-stats.js';
import type { MediaWorker } from '../media/worker/media-worker.js';
import { reportLabel } from '../protocol/client-reports.js';
import type { ServiceObserver } from '../service/observer.js';

export interface MetricsSource {
  rooms(): number;
  participants(): number;
  /** Published tracks by kind. */
  publishedTracks(): { audio: number; video: number };
  /** Tracks being forwarded to subscribers (one per subscriber per track). */
  forwardedTracks(): number;
  /** Media sessions through the demultiplexer by path: udp, tcp, relay. */
  mediaSessions(): Record<string, number>;
  /** Signaling connections by transport. */
  signalingConnections(): { websocket: number; 'long-poll': number };
  /** Participants held after their connection dropped, waiting for a resume. */
  interruptedParticipants(): number;
  /** Attendance webhook deliveries; undefined when webhooks are off. */
  webhookBacklog(): { pending: number; failed: number; oldestPendingAgeS: number } | undefined;
  /**
   * The one-port demultiplexer's refusals (src/media/transport/): first packets dropped by
   * reason (`RouteTable.dropped`), ICE-TCP connections closed for a bound (`TcpMux.closedFor`).
   */
  mediaPortRefusals(): { dropped: Readonly<Record<string, number>>; tcpClosed: Readonly<Record<string, number>> };
  /** All media workers' counters (media-stats.ts), dead ones included: they only go up. */
  mediaCounters(): MediaCounters;
  /** The media workers now, with their last load reports. */
  workers(): readonly MediaWorker[];
  /** Media workers replaced because they died or stalled. */
  workerRestarts(): number;
  /** Asks the media workers for their figures now (before a scrape). */
  refreshMedia(): Promise<void>;
}

export class ConfabMetrics implements ServiceObserver {
  readonly registry = new Registry();
  readonly #joinFailures: Counter<'code'>;
  readonly #clientReports: Counter<'code'>;
  readonly #resumes: Counter<'outcome'>;
  readonly #rateLimited: Counter<'kind'>;
  readonly #stalls: Counter<'pc' | 'outcome'>;
  readonly #recentStalls = new RecentEvents(3_600_000, 10_000);

  constructor(private readonly source: MetricsSource) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'confab_' });
    const gauge = (name: string, help: string, read: () => number): void => {
      new Gauge({ name, help, registers, collect() { this.set(read()); } });
    };
    gauge('confab_rooms', 'Rooms with at least one participant.', () => source.rooms());
    gauge('confab_participants', 'Participants in all rooms.', () => source.participants());
    gauge('confab_forwarded_tracks', 'Tracks being forwarded (one per subscriber per published track).', () => source.forwardedTracks());
    gauge('confab_participants_interrupted', 'Participants whose connection dropped, held for a session resume.', () => source.interruptedParticipants());
    gauge('confab_webhook_deliveries_pending', 'Attendance webhook deliveries waiting to be sent (retries included).', () => source.webhookBacklog()?.pending ?? 0);
    gauge('confab_webhook_deliveries_failed', 'Webhook deliveries given up on after WEBHOOK_RETRY_FOR_S (kept in the outbox).', () => source.webhookBacklog()?.failed ?? 0);
    gauge(
      'confab_webhook_oldest_pending_seconds',
      'Age of the oldest webhook delivery still waiting: growing means the receiver is down or refusing.',
      () => source.webhookBacklog()?.oldestPendingAgeS ?? 0,
    );
    gauge('confab_peer_connections', 'Open server-side peer connections.', () => source.mediaCounters().peerConnectionsOpen);
    const perWorker = (name: string, help: string, read: (w: MediaWorker) => number): void => {
      new Gauge({
        name,
        help,
        labelNames: ['worker'],
        registers,
        collect() {
          this.reset();
          for (const w of source.workers()) this.set({ worker: String(w.index) }, read(w));
        },
      });
    };
    perWorker('confab_worker_event_loop_utilization', "Each media worker's event-loop utilisation over its last second (0-1): what placement balances.", (w) => w.load?.elu ?? 0);
    perWorker('confab_worker_cpu_ratio', "Each media worker thread's CPU over its last second, as a fraction of one core (from /proc/thread-self/stat).", (w) => w.load?.cpu ?? 0);
    perWorker('confab_worker_rooms', 'Rooms whose media each worker carries.', (w) => w.routers.size);
    perWorker('confab_worker_participants', 'Participants (media peers) on each worker.', (w) => w.load?.peers ?? 0);
    perWorker('confab_worker_forwarded_packets', "Packets each worker forwarded since it started (a replaced worker starts at 0; confab_forwarded_packets_total keeps the process's sum).", (w) => w.load?.counters.packetsForwarded ?? 0);
    perWorker('confab_worker_up', '1 while the worker runs (ports bound, answering), 0 while it starts or is being replaced.', (w) => (w.running ? 1 : 0));
    let restartsSeen = 0;
    new Counter({
      name: 'confab_worker_restarts_total',
      help: 'Media workers replaced because they died or their event loop stalled for 5 s (their rooms moved to another worker).',
      registers,
      collect() {
        const now = source.workerRestarts();
        if (now > restartsSeen) this.inc(now - restartsSeen);
        restartsSeen = now;
      },
    });
    new Gauge({
      name: 'confab_published_tracks',
      help: 'Tracks participants publish, by kind.',
      labelNames: ['kind'],
      registers,
      collect() {
        const t = source.publishedTracks();
        this.set({ kind: 'audio' }, t.audio);
        this.set({ kind: 'video' }, t.video);
      },
    });
    new Gauge({
      name: 'confab_media_sessions',
      help: 'Browser media paths through the one-port demultiplexer, by transport (udp, tcp, relay via TURN).',
      labelNames: ['transport'],
      registers,
      collect() {
        const counts = source.mediaSessions();
        for (const transport of ['udp', 'tcp', 'relay']) this.set({ transport }, counts[transport] ?? 0);
      },
    });
    new Gauge({
      name: 'confab_signaling_connections',
      help: 'Signaling connections, by transport.',
      labelNames: ['transport'],
      registers,
      collect() {
        for (const [transport, n] of Object.entries(source.signalingConnections())) this.set({ transport }, n);
      },
    });
    this.mediaCounter('confab_forwarded_packets_total', 'RTP packets forwarded to subscribers.', () => source.mediaCounters().packetsForwarded);
    this.mediaCounter('confab_forwarded_bytes_total', 'RTP payload bytes forwarded to subscribers.', () => source.mediaCounters().bytesForwarded);
    this.mediaCounter('confab_received_packets_total', 'RTP packets received from publishers.', () => source.mediaCounters().packetsReceived);
    this.mediaCounter('confab_received_bytes_total', 'RTP payload bytes received from publishers.', () => source.mediaCounters().bytesReceived);
    this.mediaCounter('confab_keyframe_requests_total', 'Keyframe requests (PLI) sent to publishers.', () => source.mediaCounters().keyframeRequests);
    this.mediaCounter('confab_forward_send_errors_total', 'Forwarded RTP packets dropped for one subscriber because they could not be encrypted or sent.', () => source.mediaCounters().sendErrors);
    this.labelledCounter(
      'confab_media_port_dropped_total',
      'Packets the media port dropped before any state: first packets that are not a valid ICE check for a live peer connection, by reason, and sends without a route (no_route).',
      'reason',
      () => source.mediaPortRefusals().dropped,
    );
    this.labelledCounter(
      'confab_media_tcp_closed_total',
      'ICE-TCP connections the media port closed for a bound: silent too long, too many bytes before a check, too many per address, a first frame that is not a valid check.',
      'reason',
      () => source.mediaPortRefusals().tcpClosed,
    );
    this.#joinFailures = new Counter({ name: 'confab_join_failures_total', help: 'Refused joins, by error code.', labelNames: ['code'], registers });
    this.#clientReports = new Counter({
      name: 'confab_client_reports_total',
      help: 'Problems browsers reported (ICE failure, camera, signaling fallback), by code.',
      labelNames: ['code'],
      registers,
    });
    this.#rateLimited = new Counter({
      name: 'confab_rate_limited_total',
      help: 'Participant messages refused with rate_limited, by kind of limit (chat, display-name, mute, hand, report, ...; docs/security.md).',
      labelNames: ['kind'],
      registers,
    });
    this.#resumes = new Counter({
      name: 'confab_session_resumes_total',
      help: 'Signaling sessions after a dropped connection, by outcome: resumed, refused (joined afresh), expired (left).',
      labelNames: ['outcome'],
      registers,
    });
    for (const outcome of ['resumed', 'refused', 'expired'] as const) this.#resumes.inc({ outcome }, 0);
    this.#stalls = new Counter({
      name: 'confab_media_stalls_total',
      help: 'Media paths that stopped delivering while ICE still said connected, by connection (publish, subscribe) and outcome: detected, repaired (ICE restart brought media back), failed (the page had to rebuild).',
      labelNames: ['pc', 'outcome'],
      registers,
    });
    for (const pc of ['publish', 'subscribe'] as const) for (const outcome of ['detected', 'repaired', 'failed'] as const) this.#stalls.inc({ pc, outcome }, 0);
    const recent = this.#recentStalls;
    new Gauge({
      name: 'confab_media_stalls_last_hour',
      help: 'Media stalls in the last hour, by connection and outcome (what `confab doctor` reports).',
      labelNames: ['pc', 'outcome'],
      registers,
      collect() {
        const now = Date.now();
        for (const pc of ['publish', 'subscribe']) {
          for (const outcome of ['detected', 'repaired', 'failed']) this.set({ pc, outcome }, recent.count(`${pc} ${outcome}`, now));
        }
      },
    });
  }

  mediaStall(pc: 'publish' | 'subscribe', outcome: 'detected' | 'repaired' | 'failed'): void {
    this.#stalls.inc({ pc, outcome });
    this.#recentStalls.record(`${pc} ${outcome}`, Date.now());
  }

  /** resumed: a dropped connection came back; refused: a resume was asked for but could not be (joined afresh); expired: never came back. */
  resume(outcome: 'resumed' | 'refused' | 'expired'): void {
    this.#resumes.inc({ outcome });
  }

  rateLimited(kind: string): void {
    this.#rateLimited.inc({ kind });
  }

  joinRefused(code: string): void {
    this.#joinFailures.inc({ code });
  }

  clientReport(code: string): void {
    // Client codes are free text: the label takes only the known ones (src/protocol/client-reports.ts).
    this.#clientReports.inc({ code: reportLabel(code) });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    // The media workers' figures as they are now, not as of their last once-a-second report.
    await this.source.refreshMedia();
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** A Prometheus counter per label value that follows a record of plain counters kept elsewhere. */
  private labelledCounter(name: string, help: string, label: string, read: () => Readonly<Record<string, number>>): void {
    const seen = new Map<string, number>();
    new Counter({
      name,
      help,
      labelNames: [label],
      registers: [this.registry],
      collect() {
        for (const [value, now] of Object.entries(read())) {
          const before = seen.get(value) ?? 0;
          this.inc({ [label]: value }, Math.max(0, now - before));
          seen.set(value, now);
        }
      },
    });
  }

  /** A Prometheus counter that follows one of the plain media-stats numbers. */
  private mediaCounter(name: string, help: string, read: () => number): void {
    let seen = read();
    new Counter({
      name,
      help,
      registers: [this.registry],
      collect() {
        const now = read();
        if (now > seen) this.inc(now - seen);
        seen = now;
      },
    });
  }
}

/** Timestamps of events per key within a sliding window, at most `max` per key (oldest dropped). */
export class RecentEvents {
  readonly #events = new Map<string, number[]>();

  constructor(
    private readonly windowMs: number,
    private readonly max: number,
  ) {}

  record(key: string, now: number): void {
    let list = this.#events.get(key);
    if (!list) this.#events.set(key, (list = []));
    list.push(now);
    if (list.length > this.max) list.shift();
    this.prune(list, now);
  }

  count(key: string, now: number): number {
    const list = this.#events.get(key);
    if (!list) return 0;
    this.prune(list, now);
    return list.length;
  }

  private prune(list: number[], now: number): void {
    let drop = 0;
    while (drop < list.length && now - list[drop]! > this.windowMs) drop++;
    if (drop > 0) list.splice(0, drop);
  }
}
