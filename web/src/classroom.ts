/**
 * The class features of a conference on the page: room state, the lobby
 * (both sides), chat, raised hands and moderation requests. It keeps the
 * panels in step with what the server says and turns clicks into protocol
 * messages; the server decides what is allowed, so a refused request only
 * shows its notice.
 */
import { assertNever } from '../../src/protocol/dispatch.js';
import type { ChatMessage, ClientMessageInput, Knocker, ParticipantInfo, RoomState, ServerMessage } from '../../src/protocol/messages.js';
import type { ConferenceEvents, PageOptions } from './conference-types.js';
import type { Emitter } from './events.js';
import { ChatPanel } from './ui/chat-panel.js';
import type { ConferenceView } from './ui/conference-view.js';
import { KnockList, lobbyWaitingCard } from './ui/lobby-screen.js';
import { PeoplePanel } from './ui/people-panel.js';

export type ModerationInput = Extract<ClientMessageInput, { type: 'moderate' }>['request'];
export type ClassMessage = Extract<ServerMessage, { type: 'room-state' | 'chat' | 'lobby' | 'lobby-waiting' }>;

/** What the classroom needs from its conference. */
export interface ClassroomHost {
  sendRaw(message: ClientMessageInput): void;
  readonly participantId: string | undefined;
  readonly participants: ReadonlyMap<string, ParticipantInfo>;
  readonly events: Emitter<ConferenceEvents>;
  readonly view: ConferenceView;
  readonly displayName: string;
  readonly page: Pick<PageOptions, 'subject' | 'localSubject' | 'hideSubject'>;
  leave(): void;
}

const CHAT_KEPT = 500;

export class Classroom {
  roomState: RoomState = { locked: false, lobbyEnabled: false, hardMuted: { audio: false, video: false }, subject: '' };
  knockers: Knocker[] = [];
  readonly messages: ChatMessage[] = [];
  readonly #people: PeoplePanel;
  readonly #chat: ChatPanel;
  readonly #knocks: KnockList;
  /** A subject to set for everyone once we moderate (Jitsi's subject command, config.subject). */
  #pendingSubject: string | undefined;
  /** A subject for this page only (localSubject), shown instead of the room's. */
  #localSubject: string | undefined;

  constructor(private readonly host: ClassroomHost) {
    this.#pendingSubject = host.page.subject;
    this.#localSubject = host.page.localSubject;
    const mod = (request: ModerationInput): void => this.moderate(request);
    this.#people = new PeoplePanel(
      {
        mute: (participantId, kind, hard) => mod({ action: 'mute', participantId, kind, hard }),
        allowUnmute: (participantId, kind) => mod({ action: 'allow-unmute', participantId, kind }),
        grantModerator: (participantId) => mod({ action: 'grant-moderator', participantId }),
        remove: (participantId, block) => mod({ action: 'remove', participantId, block }),
        lowerHand: (participantId) => mod({ action: 'lower-hand', participantId }),
      },
      {
        muteEveryone: (kind, hard) => mod({ action: 'mute-everyone', kind, hard }),
        allowUnmuteEveryone: (kind) => mod({ action: 'allow-unmute-everyone', kind }),
        setLocked: (locked) => mod({ action: 'lock-room', locked }),
        setLobby: (enabled) => mod({ action: 'set-lobby', enabled }),
        endConference: () => mod({ action: 'end-conference' }),
      },
    );
    this.#chat = new ChatPanel((text, to) => this.sendChat(text, to));
    this.#knocks = new KnockList({
      admit: (participantId) => mod({ action: 'admit', participantId }),
      deny: (participantId) => mod({ action: 'deny', participantId }),
    });
    host.view.setPanel('people', this.#people.el);
    host.view.setPanel('chat', this.#chat.el);
    host.view.addFloating(this.#knocks.el);
  }

  get self(): ParticipantInfo | undefined {
    return this.host.participantId ? this.host.participants.get(this.host.participantId) : undefined;
  }

  get isModerator(): boolean {
    return this.self?.role === 'moderator';
  }

  moderate(request: ModerationInput): void {
    this.host.sendRaw({ type: 'moderate', request });
  }

  /** The subject for everyone: now if we moderate, otherwise once we do (as Jitsi's subject command). */
  setSubject(subject: string): void {
    this.#pendingSubject = subject.trim().slice(0, 200);
    this.applyPendingSubject();
  }

  /** A subject shown on this page only; '' goes back to the room's. */
  setLocalSubject(subject: string): void {
    this.#localSubject = subject.trim().slice(0, 200) || undefined;
    this.renderSubject();
  }

  private applyPendingSubject(): void {
    const subject = this.#pendingSubject;
    if (subject === undefined || !this.isModerator) return;
    this.#pendingSubject = undefined;
    if (subject !== this.roomState.subject) this.moderate({ action: 'set-subject', subject });
  }

  private renderSubject(): void {
    this.host.view.setSubject(this.host.page.hideSubject ? undefined : (this.#localSubject ?? this.roomState.subject));
  }

  sendChat(text: string, to?: string): void {
    const trimmed = text.trim();
    if (trimmed) this.host.sendRaw({ type: 'chat-send', text: trimmed, to });
  }

  setHandRaised(raised: boolean): void {
    this.host.sendRaw({ type: 'set-hand-raised', raised });
  }

  onMessage(m: ClassMessage): void {
    switch (m.type) {
      case 'room-state':
        this.onRoomState(this.roomState, m.state);
        this.roomState = m.state;
        this.renderSubject();
        break;
      case 'lobby': {
        const known = new Set(this.knockers.map((k) => k.id));
        this.knockers = m.waiting;
        for (const k of m.waiting) if (!known.has(k.id)) this.host.events.emit('knockingParticipant', { participant: { id: k.id, name: k.displayName } });
        break;
      }
      case 'lobby-waiting':
        this.host.view.setLobby(lobbyWaitingCard(this.host.displayName, m.moderatorPresent, () => this.host.leave()));
        this.host.events.emit('lobbyWaiting');
        return;
      case 'chat':
        this.onChat(m.messages, m.history);
        break;
      default:
        return assertNever(m, 'class message');
    }
    this.render();
  }

  /** A welcome: the server sends the state and the chat backlog again, so start afresh. */
  onJoined(): void {
    this.host.view.setLobby(undefined);
    this.messages.length = 0;
    this.#chat.clear();
    this.knockers = [];
    this.applyPendingSubject();
    this.render();
  }

  /** What changed in the room for the embedder: lecture mode per kind, the subject. */
  private onRoomState(before: RoomState, after: RoomState): void {
    for (const mediaType of ['audio', 'video'] as const) {
      if (before.hardMuted[mediaType] !== after.hardMuted[mediaType]) this.host.events.emit('moderationStatusChanged', { mediaType, enabled: after.hardMuted[mediaType] });
    }
    if (before.subject !== after.subject) this.host.events.emit('subjectChange', { subject: after.subject });
  }

  /** Opens the chat, addressed to one participant (undefined: everyone). */
  openChat(to: string | undefined): void {
    if (this.host.view.openPanel !== 'chat') this.host.view.togglePanel('chat', true);
    this.#chat.setRecipient(to);
  }

  /** A participant appeared or changed: tell the embedder about hands and roles, and redraw. */
  onParticipant(previous: ParticipantInfo | undefined, next: ParticipantInfo): void {
    if (previous && previous.handRaisedAt !== next.handRaisedAt) {
      this.host.events.emit('raiseHandUpdated', { id: next.id, handRaised: next.handRaisedAt ?? 0 });
    }
    if (previous && previous.role !== next.role) this.host.events.emit('participantRoleChanged', { id: next.id, role: next.role });
    for (const mediaType of ['audio', 'video'] as const) {
      const key = mediaType === 'audio' ? 'audioLocked' : 'videoLocked';
      if (!previous || previous[key] === next[key]) continue;
      this.host.events.emit(next[key] ? 'moderationParticipantRejected' : 'moderationParticipantApproved', { id: next.id, mediaType });
    }
    if (next.id === this.host.participantId && next.role === 'moderator') this.applyPendingSubject();
    this.render();
  }

  render(): void {
    const participants = [...this.host.participants.values()];
    const isModerator = this.isModerator;
    this.#people.render({ selfId: this.host.participantId, isModerator, participants, room: this.roomState });
    this.#knocks.render(this.knockers, isModerator);
    this.#chat.setRecipients(participants, this.host.participantId);
    this.host.view.setBadge('people', isModerator ? this.knockers.length : 0);
    this.host.view.setHandRaised((this.self?.handRaisedAt ?? null) !== null);
  }

  private onChat(messages: readonly ChatMessage[], history: boolean): void {
    this.messages.push(...messages);
    this.messages.splice(0, Math.max(0, this.messages.length - CHAT_KEPT));
    this.#chat.add(messages, this.host.participantId, (id) => this.host.participants.get(id)?.displayName ?? 'someone');
    if (history) return;
    for (const m of messages) {
      if (m.from === this.host.participantId) {
        this.host.events.emit('outgoingMessage', { message: m.text, privateMessage: m.to !== undefined });
        continue;
      }
      this.host.events.emit('incomingMessage', { from: m.from, nick: m.fromName, message: m.text, privateMessage: m.to !== undefined, stamp: m.at });
      if (this.host.view.openPanel !== 'chat') {
        this.host.view.bumpBadge('chat');
        this.host.events.emit('chatUpdated', { isOpen: false, unreadCount: this.host.view.badge('chat') });
      }
    }
  }
}
