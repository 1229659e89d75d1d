/**
 * A joined (or joining) conference: signaling, media and the in-call view.
 * On a lost connection it resumes the session when the server still holds
 * it (media untouched, nobody sees us leave), or shows "Reconnecting" and
 * joins again with backoff, keeping the camera and microphone; on a fatal
 * error it shows the code.
 * Class features (moderation, lobby, chat, hands) live in Classroom and the
 * screen share in ScreenShare; their public actions are here, for the page
 * and the embed API.
 */
import { ERRORS, isErrorCode, isRequestOnly } from '../../src/protocol/errors.js';
import type { ClientReportCode } from '../../src/protocol/client-reports.js';
import { dispatch, type HandlerTable } from '../../src/protocol/dispatch.js';
import { PROTOCOL_VERSION, type ClientMessageInput, type MediaKind, type ParticipantInfo, type ServerMessage, type ServerMessageOf } from '../../src/protocol/messages.js';
import { Classroom, type ModerationInput } from './classroom.js';
import { MediaSession } from './media-session.js';
import { ScreenShare } from './screen-share.js';
import { PageLayout } from './layout.js';
import type { CloseInfo } from './signaling.js';
import { Connection } from './connection.js';
import { startSpeakingMonitor } from './speaking.js';
import { startMediaMonitor } from './media-monitor.js';
import { ConferenceView } from './ui/conference-view.js';
import { ReceiveVideoAsks, receiveVideoAsk, type ReceiveVideo } from './receive-video.js';
import { Emitter } from './events.js';
import type { ConferenceEvents, ConferenceOptions, ConferenceState, PageOptions } from './conference-types.js';

export type { ConferenceEvents, ConferenceOptions, ConferenceState } from './conference-types.js';

export class Conference {
  /** Typed events for the embed API and other observers. */
  readonly events = new Emitter<ConferenceEvents>();
  readonly view: ConferenceView;
  readonly classroom: Classroom;
  readonly screenShare: ScreenShare;
  /** Tile view, pinning, the strip beside the large video (layout.ts). */
  readonly layout: PageLayout;
  /** What the link asked of the page (config.startSilent, subject, layout...). */
  readonly page: PageOptions;
  state: ConferenceState = 'connecting';
  participantId: string | undefined;
  readonly participants = new Map<string, ParticipantInfo>();
  media: MediaSession | undefined;
  /** Signaling across connections: resume after a drop, or join again (connection.ts). */
  readonly #connection: Connection;
  #overlayTimer: number | undefined;
  #deviceErrorReported = false;
  #stopSpeaking: (() => void) | undefined;
  #stopMediaMonitor: (() => void) | undefined;
  /** Cameras the server will not send us because this browser cannot decode their codec: participant id -> codec. */
  readonly #undecodable = new Map<string, string>();
  /** From the last welcome: lets us back in after a lost connection even once the token has expired. */
  #rejoinTicket: string | undefined;
  /** Who has the floor, as the server last said: shown large in stage view, first in last-N. */
  #dominantSpeaker: string | undefined;
  /** What we ask to receive (receive-video): sent on a change of layout, pin or tile sizes, debounced. */
  readonly #asks = new ReceiveVideoAsks(
    () => this.receiveVideoNow(),
    (ask) => this.send(ask),
  );
  /** Tile and large-video sizes: a change may change the layers we ask for. */
  readonly #sizes = typeof ResizeObserver === 'undefined' ? undefined : new ResizeObserver(() => this.#asks.schedule());
  /** The ICE servers of our welcome, for peer connections made again later (media_worker_restarted). */
  #iceServers: RTCIceServer[] = [];
  /** config.startAudioMuted: N decides at the first welcome only, not on every rejoin. */
  #startMutedDecided = false;
  /** Who shared a screen at the last look, for contentSharingParticipantsChanged. */
  #sharing = '';
  /** Per-participant volume set by the embedder, kept for tiles made later (setParticipantVolume). */
  readonly #volumes = new Map<string, number>();

  constructor(private readonly o: ConferenceOptions) {
    this.#rejoinTicket = o.rejoinTicket;
    this.page = {
      startAudioMutedAfter: undefined,
      startVideoMutedAfter: undefined,
      startSilent: false,
      subject: undefined,
      localSubject: undefined,
      hideSubject: false,
      disableTileView: false,
      disableSelfView: false,
      ...o.page,
    };
    const label = o.tenant ? `${o.tenant} / ${o.room}` : o.room;
    this.view = new ConferenceView(label, {
      toggleAudio: () => this.setMuted('audio', !this.o.audioMuted),
      toggleVideo: () => this.setMuted('video', !this.o.videoMuted),
      toggleScreenShare: () => this.toggleScreenShare(),
      toggleRaiseHand: () => this.toggleRaiseHand(),
      leave: () => this.leave(),
    });
    this.view.setSelfView({ hidden: this.page.disableSelfView });
    this.view.onPanelChange = (panel, open) => {
      if (panel === 'chat') this.events.emit('chatUpdated', { isOpen: open, unreadCount: this.view.badge('chat') });
      else this.events.emit('participantsPaneToggled', { open });
    };
    this.layout = new PageLayout(this.view, this.events, this.page, () => this.attachRemoteTracks());
    this.view.stage.onPageChange = () => this.#asks.schedule();
    this.#sizes?.observe(this.view.presentation.el);
    this.classroom = new Classroom(this);
    this.screenShare = new ScreenShare(
      () => this.media,
      (track) => {
        this.events.emit('screenSharingStatusChanged', { on: track !== undefined });
        this.applyLocalMute();
        this.attachRemoteTracks();
      },
    );
    this.applyLocalMute();
    this.#connection = new Connection({
      hello: () => ({
        type: 'hello',
        protocolVersion: PROTOCOL_VERSION,
        room: this.o.room,
        tenant: this.o.tenant,
        displayName: this.o.displayName,
        token: this.o.token,
        rejoinTicket: this.#rejoinTicket,
        audioMuted: this.o.audioMuted,
        videoMuted: this.o.videoMuted,
        receiveCodecs: decodableVideoCodecs(),
      }),
      message: (m) => void this.onMessage(m).catch((e: unknown) => this.report('media_negotiation_failed', String(e))),
      resumed: (lostMs) => this.onResumed(lostMs),
      closed: (info) => this.onClosed(info),
      canResume: () => this.media?.healthy === true,
      reconnecting: (keepMedia) => this.onReconnecting(keepMedia),
    });
  }

  // ---- class features: the server decides what is allowed; a refusal shows as a notice ----

  toggleRaiseHand(): void {
    this.classroom.setHandRaised((this.self?.handRaisedAt ?? null) === null);
  }

  toggleScreenShare(): void {
    const share = this.screenShare;
    (share.track ? share.stop() : share.start()).catch((e: unknown) => this.view.setNotice(`Screen sharing failed: ${String(e)}`));
  }

  /** Moderators: mute everyone but ourselves; `hard` also stops them unmuting (lecture mode). */
  muteEveryone(kind: MediaKind = 'audio', hard = false): void {
    this.classroom.moderate({ action: 'mute-everyone', kind, hard });
  }

  /** Removes a participant; with `block`, also refuses them until the class ends (they need a token user id). */
  /** Sets how loud a participant plays on this page, 0 to 1. */
  setParticipantVolume(participantId: string, volume: number): void {
    if (!Number.isFinite(volume)) return;
    this.#volumes.set(participantId, volume);
    this.view.stage.tiles.get(participantId)?.setVolume(volume);
  }

  /** The participant ids sharing a screen now (ours included while we share). */
  get sharingParticipants(): string[] {
    const remote = (this.media?.remoteTracks() ?? []).filter((t) => t.info.source === 'screen').map((t) => t.info.participantId);
    return [...new Set([...(this.screenShare.track && this.participantId ? [this.participantId] : []), ...remote])];
  }

  removeParticipant(participantId: string, block = false): void {
    this.classroom.moderate({ action: 'remove', participantId, block });
  }

  grantModerator(participantId: string): void {
    this.classroom.moderate({ action: 'grant-moderator', participantId });
  }

  setLobby(enabled: boolean): void {
    this.classroom.moderate({ action: 'set-lobby', enabled });
  }

  endConference(): void {
    this.classroom.moderate({ action: 'end-conference' });
  }

  /** Any moderation request: mute one, allow-unmute, lock-room, admit, deny, lower-hand... */
  moderate(request: ModerationInput): void {
    this.classroom.moderate(request);
  }

  /** To the room, or privately to one participant. */
  sendChat(text: string, to?: string): void {
    this.classroom.sendChat(text, to);
  }

  /** We asked the server for none of this participant's camera (its tile is on another grid page): no frames are expected. */
  videoNotAsked(participantId: string): boolean {
    return this.#asks.noVideoFrom(participantId);
  }

  /** For tests and diagnostics: sends a protocol message as is, bypassing the page's own checks. */
  sendRaw(message: ClientMessageInput): void {
    this.send(message);
  }

  /** Every message to the server goes through here: numbered, and sent again after a resume if it was lost. */
  private send(message: ClientMessageInput): void {
    this.#connection.send(message);
  }

  get displayName(): string {
    return this.o.displayName;
  }

  /** The room's (folded) name. */
  get room(): string {
    return this.o.room;
  }

  private get self(): ParticipantInfo | undefined {
    return this.participantId ? this.participants.get(this.participantId) : undefined;
  }

  get audioMuted(): boolean {
    return this.o.audioMuted;
  }

  get videoMuted(): boolean {
    return this.o.videoMuted;
  }

  /** Changes our display name for everyone. */
  setDisplayName(name: string): void {
    const trimmed = name.trim().slice(0, 80);
    if (!trimmed) return;
    if (this.o.readOnlyName) return console.warn('confab: the display name is read-only on this page (config.readOnlyName)');
    this.o.displayName = trimmed;
    this.send({ type: 'set-display-name', displayName: trimmed });
  }

  /** The server's rejoin ticket from the last welcome, if any. */
  get rejoinTicket(): string | undefined {
    return this.#rejoinTicket;
  }

  /** The signaling transport in use ('websocket' or 'long-poll'), for tests and diagnostics. */
  get signalingTransport(): string | undefined {
    return this.#connection.transport;
  }

  start(): void {
    this.#connection.start();
    this.#stopSpeaking = startSpeakingMonitor(this);
    this.#stopMediaMonitor = startMediaMonitor(this, {
      showStalled: (ids) => {
        for (const [id, tile] of this.view.stage.tiles) tile.setMediaStalled(ids.has(id));
      },
      report: (code, detail) => this.report(code, detail),
      askIceRestart: (reason) => this.send({ type: 'restart-ice', pc: 'subscribe', reason }),
    });
  }

  leave(): void {
    if (this.state === 'left') return;
    this.teardown('left', true);
    this.o.onLeft();
  }

  setMuted(kind: 'audio' | 'video', muted: boolean): void {
    if (!muted && (kind === 'audio' ? this.self?.audioLocked : this.self?.videoLocked)) {
      this.view.setNotice(ERRORS.muted_by_moderator.message, 'muted_by_moderator');
      return;
    }
    if (kind === 'audio') this.o.audioMuted = muted;
    else this.o.videoMuted = muted;
    this.applyLocalMute();
    this.send({ type: 'set-muted', kind, muted });
    this.events.emit('localMuteChanged', { kind, muted });
    const self = this.participantId ? this.participants.get(this.participantId) : undefined;
    if (self) this.upsertTile({ ...self, audioMuted: this.o.audioMuted, videoMuted: this.o.videoMuted });
  }

  private applyLocalMute(): void {
    for (const t of this.o.stream?.getAudioTracks() ?? []) t.enabled = !this.o.audioMuted;
    for (const t of this.o.stream?.getVideoTracks() ?? []) t.enabled = !this.o.videoMuted;
    this.view.setMuted(this.o.audioMuted, this.o.videoMuted);
    this.view.setLocked(this.self?.audioLocked === true, this.self?.videoLocked === true);
    this.view.setScreenSharing(this.screenShare?.track !== undefined, this.self?.videoLocked !== true);
  }

  /**
   * What the server says about us wins: a moderator's mute turns our own
   * track off too, and a video lock ends our screen share.
   */
  private applyServerSelf(p: ParticipantInfo): void {
    for (const kind of ['audio', 'video'] as const) {
      const muted = kind === 'audio' ? p.audioMuted : p.videoMuted;
      const mine = kind === 'audio' ? this.o.audioMuted : this.o.videoMuted;
      if (!muted || mine) continue;
      if (kind === 'audio') this.o.audioMuted = true;
      else this.o.videoMuted = true;
      this.events.emit('localMuteChanged', { kind, muted: true });
      this.view.setNotice(kind === 'audio' ? 'A moderator muted your microphone.' : 'A moderator turned your camera off.');
    }
    if (p.videoLocked && this.screenShare.track) void this.screenShare.stop();
    this.applyLocalMute();
  }

  /** The server kept our session through the drop: same participant, media untouched. */
  private onResumed(lostMs: number): void {
    this.state = 'joined';
    this.setReconnecting(false);
    this.report('signaling_resumed', `connection was lost for ${(lostMs / 1000).toFixed(1)} s; session resumed`);
  }

  private async onMessage(m: ServerMessage): Promise<void> {
    await dispatch(this.#handlers, m);
  }

  /** One handler per server message: a message type without one does not compile. */
  readonly #handlers: HandlerTable<ServerMessage, Promise<void> | void> = {
    welcome: (m) => this.onWelcome(m),
    'publish-answer': (m) => this.media?.onPublishAnswer(m.sdp),
    // The server stopped getting our media though ICE says connected: new credentials on the same connection.
    'restart-ice': () => this.media?.restartPublishIce(),
    'subscribe-offer': (m) => this.media?.onSubscribeOffer(m),
    'participant-joined': (m) => this.onParticipant(m),
    'participant-updated': (m) => this.onParticipant(m),
    'room-state': (m) => this.classroom.onMessage(m),
    chat: (m) => this.classroom.onMessage(m),
    lobby: (m) => this.classroom.onMessage(m),
    'lobby-waiting': (m) => {
      this.state = 'lobby';
      this.classroom.onMessage(m);
    },
    'track-unavailable': (m) => {
      if (m.kind !== 'video' || m.source !== 'camera') return;
      console.warn(`confab: ${m.participantId}'s camera is sent as ${m.codec}, which this browser cannot decode`);
      this.#undecodable.set(m.participantId, m.codec);
      this.attachRemoteTracks();
    },
    // Dynacast: layers of our camera that nobody receives stop encoding (our uplink and CPU), and start again when wanted.
    'video-layers': (m) => this.media?.setCameraLayers(m.active),
    'dominant-speaker': (m) => {
      this.#dominantSpeaker = m.participantId ?? undefined;
      if (m.participantId) this.events.emit('dominantSpeakerChanged', { id: m.participantId });
      this.attachRemoteTracks();
    },
    'participant-left': (m) => {
      this.#undecodable.delete(m.participantId);
      if (m.reason === 'removed') this.events.emit('participantKickedOut', { kicked: { id: m.participantId, local: false }, kicker: { id: '' } });
      this.events.emit('participantLeft', m.participantId);
      this.layout.forget(m.participantId);
      this.participants.delete(m.participantId);
      const tile = this.view.stage.tiles.get(m.participantId);
      if (tile) this.#sizes?.unobserve(tile.el);
      this.view.stage.remove(m.participantId);
      this.view.setCount(this.participants.size);
      this.classroom.render();
      this.attachRemoteTracks();
    },
    error: (m) => {
      // The server could not repair a stalled media path: rebuild our connections, as after a failure.
      if (!m.fatal && m.code === 'media_stalled') return this.onMediaFailed(m.message, true);
      if (!m.fatal && m.code === 'media_worker_restarted') return void this.onMediaMoved();
      if (!m.fatal) this.events.emit('errorOccurred', { name: m.code, message: m.message, type: 'CONFERENCE', isFatal: false });
      // A refused request (forbidden, a locked unmute) is the person's to read, not a problem to report.
      if (!m.fatal && isErrorCode(m.code) && isRequestOnly(m.code)) this.view.setNotice(m.message || ERRORS[m.code].message, m.code);
      else if (!m.fatal) this.report(isErrorCode(m.code) ? m.code : 'internal_error', m.message);
      // A fatal one: the close that follows ends the conference (onClosed).
    },
    // The connection's business (heartbeat, session resume), handled before us in connection.ts.
    pong: () => undefined,
    resumed: () => undefined,
  };

  private async onWelcome(m: ServerMessageOf<'welcome'>): Promise<void> {
    this.state = 'joined';
    this.#connection.joined();
    this.setReconnecting(false);
    this.participantId = m.participantId;
    this.#rejoinTicket = m.rejoinTicket;
    this.participants.clear();
    this.view.stage.clear();
    for (const p of [m.self, ...m.participants]) this.upsertTile(p);
    this.applyStartMuted(m.participants.length);
    this.classroom.onJoined();
    this.applyServerSelf(m.self);
    this.#iceServers = m.iceServers;
    // A new session: the server has not heard what we receive yet.
    this.#asks.reset();
    this.#asks.schedule();
    this.#dominantSpeaker = undefined;
    this.newMediaSession();
    this.reportAfterJoin();
    // A mute we made while the connection was down, after the hello went out.
    for (const kind of ['audio', 'video'] as const) {
      const mine = kind === 'audio' ? this.o.audioMuted : this.o.videoMuted;
      if (mine && !(kind === 'audio' ? m.self.audioMuted : m.self.videoMuted)) this.send({ type: 'set-muted', kind, muted: true });
    }
    this.events.emit('joined', { participantId: m.participantId, room: m.room, displayName: m.self.displayName, role: m.self.role, avatarUrl: m.self.avatarUrl ?? '' });
    for (const p of m.participants) this.events.emit('participantJoined', p);
    for (const failure of this.o.deviceFailures ?? []) this.events.emit('deviceError', failure);
    await this.publishAll();
  }

  /** Fresh peer connections (the old ones closed): the server offers the subscribe side once we publish. */
  private newMediaSession(): MediaSession {
    this.media?.close();
    this.media = new MediaSession((message) => this.send(message), this.#iceServers, {
      onRemoteTracks: () => this.attachRemoteTracks(),
      onFailed: (reason, hadConnected) => this.onMediaFailed(reason, hadConnected),
    });
    return this.media;
  }

  private async publishAll(): Promise<void> {
    await this.media?.publish(this.o.stream, this.o.preferredCodec);
    await this.screenShare.republish();
  }

  /**
   * The server's media worker for our room died and the room moved to another
   * (media_worker_restarted): we stay in the class, only our peer connections
   * are made again, against the new worker.
   */
  private async onMediaMoved(): Promise<void> {
    if (this.state !== 'joined') return;
    console.warn('confab: the server moved our media to another worker: reconnecting audio and video');
    this.newMediaSession();
    this.attachRemoteTracks();
    await this.publishAll();
  }

  /** Someone joined, or changed (ourselves included: what the server says about us wins). */
  private onParticipant(m: ServerMessageOf<'participant-joined' | 'participant-updated'>): void {
    const previous = this.participants.get(m.participant.id);
    this.upsertTile(m.participant);
    if (m.participant.id === this.participantId) this.applyServerSelf(m.participant);
    this.classroom.onParticipant(previous, m.participant);
    this.events.emit(m.type === 'participant-joined' ? 'participantJoined' : 'participantUpdated', m.participant);
    this.attachRemoteTracks();
  }

  private upsertTile(p: ParticipantInfo): void {
    this.participants.set(p.id, p);
    const isSelf = p.id === this.participantId;
    const tile = this.view.stage.upsert(p.id, { ...p, isSelf });
    if (!isSelf) this.#sizes?.observe(tile.el);
    if (isSelf) tile.setVideo(this.o.videoMuted ? undefined : this.o.stream?.getVideoTracks()[0]);
    else {
      tile.setSilenced(this.page.startSilent);
      const volume = this.#volumes.get(p.id);
      if (volume !== undefined) tile.setVolume(volume);
    }
    this.view.setCount(this.participants.size);
  }

  /**
   * Jitsi's startAudioMuted / startVideoMuted: N: whoever joins when N people
   * are already in starts muted. Decided before our media is published, so
   * nothing is sent first.
   */
  private applyStartMuted(alreadyIn: number): void {
    if (this.#startMutedDecided) return;
    this.#startMutedDecided = true;
    const after = { audio: this.page.startAudioMutedAfter, video: this.page.startVideoMutedAfter };
    for (const kind of ['audio', 'video'] as const) {
      const n = after[kind];
      const mine = kind === 'audio' ? this.o.audioMuted : this.o.videoMuted;
      if (n !== undefined && alreadyIn >= n && !mine) this.setMuted(kind, true);
    }
  }

  /**
   * Media that worked and then died (the network changed under a resumed
   * session, a TURN server went away) is rebuilt by joining again with new
   * peer connections. Media that never got through is only reported: joining
   * again would not help, and would loop.
   */
  private onMediaFailed(reason: string, hadConnected: boolean): void {
    if (!hadConnected || this.state !== 'joined') return this.report('media_connection_failed', reason);
    this.report('media_connection_lost', `${reason}; joining again with new connections`);
    this.#connection.joinAfresh('the media connection failed after it had worked');
  }

  /** Puts each remote track on its participant's tile; muted video shows initials instead. */
  private attachRemoteTracks(): void {
    const tracks = this.media?.remoteTracks() ?? [];
    for (const [id, tile] of this.view.stage.tiles) {
      tile.el.classList.toggle('dominant', id === this.#dominantSpeaker);
      if (id === this.participantId) continue;
      const info = this.participants.get(id);
      const video = tracks.find((t) => t.info.participantId === id && t.info.source === 'camera')?.track;
      const audio = tracks.find((t) => t.info.participantId === id && t.info.kind === 'audio')?.track;
      if (video) this.#undecodable.delete(id);
      const codec = this.#undecodable.get(id);
      tile.setVideoUnavailable(codec && !info?.videoMuted ? `Video not shown: this browser cannot decode ${codec.replace(/^video\//i, '')}` : undefined);
      tile.setVideo(info?.videoMuted ? undefined : video);
      tile.setAudio(audio).catch(() =>
        this.view.setNotice('Your browser blocked sound. Click here to hear the others.', undefined, () => {
          for (const t of this.view.stage.tiles.values()) t.retryAudio();
          this.view.setNotice(undefined);
        }),
      );
    }
    this.layout.apply({
      remote: tracks,
      ownCamera: this.o.videoMuted ? undefined : this.o.stream?.getVideoTracks()[0],
      ownShare: this.screenShare.track,
      selfId: this.participantId,
      participants: this.participants,
      dominantSpeaker: this.#dominantSpeaker,
    });
    this.#asks.schedule();
    const sharing = this.sharingParticipants;
    if (sharing.join() !== this.#sharing) {
      this.#sharing = sharing.join();
      this.events.emit('contentSharingParticipantsChanged', { data: sharing });
    }
  }

  /**
   * What we ask to receive now (receive-video.ts): config.channelLastN, the
   * pinned participant on stage first, and each camera's layer from how tall
   * this page draws it: the thumbnails' height for everyone, the large
   * video's for whoever is shown large, 0 for tiles on other grid pages.
   * Without channelLastN in the link the server's CHANNEL_LAST_N stays (lastN left out).
   */
  private receiveVideoNow(): ReceiveVideo | undefined {
    if (this.state !== 'joined') return undefined;
    const self = this.participantId;
    const pinned = this.layout.state.pinned?.id;
    const large = this.view.presentation.drawnCamera;
    return receiveVideoAsk({
      lastN: this.page.channelLastN,
      pinned: pinned && pinned !== self ? pinned : undefined,
      tiles: [...this.view.stage.tiles].filter(([id]) => id !== self).map(([participantId, tile]) => ({ participantId, height: tile.drawnHeight })),
      large: large && large.participantId !== self ? large : undefined,
    });
  }

  private onClosed(info: CloseInfo): 'stop' | 'reconnect' {
    if (this.state === 'left' || this.state === 'failed') return 'stop';
    if (info.kind === 'fatal') {
      if ((info.code === 'removed_by_moderator' || info.code === 'blocked_by_moderator') && this.participantId) {
        this.events.emit('participantKickedOut', { kicked: { id: this.participantId, local: true }, kicker: { id: '' } });
      }
      this.events.emit('errorOccurred', { name: info.code, message: info.message, type: info.code === 'signaling_unreachable' ? 'CONNECTION' : 'CONFERENCE', isFatal: true });
      this.teardown('failed');
      this.o.onFatal(info.code, info.message);
      return 'stop';
    }
    if (info.kind === 'normal' && this.state === 'joined') {
      this.teardown('left');
      this.o.onLeft();
      return 'stop';
    }
    return 'reconnect';
  }

  /**
   * Lost: the page stays. When the session may resume, the media is kept and
   * the overlay waits 2 s (a blip that heals fast is never shown).
   */
  private onReconnecting(keepMedia: boolean): void {
    this.state = 'reconnecting';
    if (!keepMedia) {
      this.media?.close();
      this.media = undefined;
    }
    this.setReconnecting(true, keepMedia ? 2000 : 0);
  }

  /** The blocking "Reconnecting" overlay, shown after `afterMs` if we are still not back. */
  private setReconnecting(on: boolean, afterMs = 0): void {
    window.clearTimeout(this.#overlayTimer);
    if (!on) return this.view.setOverlay(undefined);
    const show = (): void => {
      if (this.state === 'reconnecting') this.view.setOverlay('Connection lost. Reconnecting…');
    };
    if (afterMs > 0) this.#overlayTimer = window.setTimeout(show, afterMs);
    else show();
  }

  /**
   * What went wrong on our side before we could tell the server: the
   * operator sees it in the server's logs with our room and participant id.
   */
  private reportAfterJoin(): void {
    if (this.o.deviceError && !this.#deviceErrorReported) {
      this.#deviceErrorReported = true;
      this.report('devices_unavailable', this.o.deviceError);
    }
    if (this.#connection.transport === 'long-poll') {
      this.report('signaling_websocket_failed', 'WebSocket signaling could not be opened (proxy without Upgrade support?); joined over HTTP long-polling');
    }
    const lostAt = this.#connection.takeLostAt();
    if (lostAt !== undefined) {
      this.report('signaling_reconnected', `connection was lost for ${Math.round((Date.now() - lostAt) / 1000)} s; joined again`);
    }
  }

  /** Tells the user and the server (which logs it with our room and id). */
  private report(code: ClientReportCode, detail: string): void {
    console.warn(`confab: ${code}: ${detail}`);
    this.send({ type: 'client-report', code, detail: detail.slice(0, 1000) });
    if (code === 'media_connection_failed') this.view.setNotice('Audio and video cannot get through to the server.', code);
  }

  /** The end of this conference; with `goodbye` the server is told we left. */
  private teardown(state: ConferenceState, goodbye = false): void {
    const wasJoined = this.state === 'joined' || this.state === 'reconnecting';
    this.state = state;
    if (wasJoined) this.events.emit('left');
    window.clearTimeout(this.#overlayTimer);
    this.#connection.stop(goodbye);
    this.#stopSpeaking?.();
    this.#stopMediaMonitor?.();
    this.#asks.stop();
    this.#sizes?.disconnect();
    this.media?.close();
    this.media = undefined;
  }
}

/** The video codecs this browser decodes, for the server's codec policy (hello.receiveCodecs). */
function decodableVideoCodecs(): string[] | undefined {
  const codecs = RTCRtpReceiver.getCapabilities?.('video')?.codecs;
  if (!codecs) return undefined;
  const skip = new Set(['video/rtx', 'video/red', 'video/ulpfec', 'video/flexfec-03']);
  return [...new Set(codecs.map((c) => c.mimeType.toLowerCase()).filter((m) => !skip.has(m)))].slice(0, 32);
}
