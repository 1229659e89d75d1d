/**
 * Jitsi's executeCommand names, mapped onto the conference. The table is
 * typed by the catalogue (catalogue.ts): a command marked supported does
 * not compile without its handler here. A refused or unknown command is
 * named in a console warning, never thrown, as in Jitsi. Moderator-only
 * commands are checked by the server, which answers a participant with
 * `forbidden` (shown as a notice).
 */
import type { Conference } from '../conference.js';
import type { LargeSource } from '../layout.js';
import { entryOf, refusal, type SupportedCommand } from './catalogue.js';

/** What a command needs from the conference: its public actions (a fake one in commands.test.ts). */
export type CommandTarget = Pick<
  Conference,
  | 'setMuted'
  | 'audioMuted'
  | 'videoMuted'
  | 'leave'
  | 'setDisplayName'
  | 'toggleRaiseHand'
  | 'toggleScreenShare'
  | 'endConference'
  | 'muteEveryone'
  | 'removeParticipant'
  | 'grantModerator'
  | 'sendChat'
  | 'setLobby'
  | 'moderate'
  | 'setParticipantVolume'
  | 'layout'
  | 'classroom'
  | 'view'
>;

type Handler = (c: CommandTarget, args: readonly unknown[]) => void;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const kind = (v: unknown): 'audio' | 'video' => (v === 'video' ? 'video' : 'audio');
/** Jitsi's videoType: 'desktop' is the screen share. */
const source = (v: unknown): LargeSource => (v === 'desktop' ? 'screen' : 'camera');
/** A participant id argument; Jitsi commands ignore a call without one. */
const withId = (run: (c: CommandTarget, id: string, rest: readonly unknown[]) => void): Handler => (c, [id, ...rest]) => {
  const participantId = str(id);
  if (participantId) run(c, participantId, rest);
};

export const COMMAND_HANDLERS: Record<SupportedCommand, Handler> = {
  displayName: (c, [name]) => typeof name === 'string' && c.setDisplayName(name),
  toggleLobby: (c, [on]) => c.setLobby(on === true),
  subject: (c, [subject]) => typeof subject === 'string' && c.classroom.setSubject(subject),
  localSubject: (c, [subject]) => typeof subject === 'string' && c.classroom.setLocalSubject(subject),
  toggleAudio: (c) => c.setMuted('audio', !c.audioMuted),
  toggleVideo: (c) => c.setMuted('video', !c.videoMuted),
  toggleFilmStrip: (c) => c.layout.toggleFilmStrip(),
  toggleChat: (c) => c.view.togglePanel('chat'),
  toggleRaiseHand: (c) => c.toggleRaiseHand(),
  toggleShareScreen: (c) => c.toggleScreenShare(),
  toggleTileView: (c) => c.layout.setTileView(!c.layout.tileView),
  setTileView: (c, [on]) => c.layout.setTileView(on === true),
  hangup: (c) => c.leave(),
  endConference: (c) => c.endConference(),
  setLargeVideoParticipant: (c, [id, videoType]) => c.layout.pin(str(id), source(videoType)),
  muteEveryone: (c, [mediaType]) => c.muteEveryone(kind(mediaType)),
  initiatePrivateChat: withId((c, id) => c.classroom.openChat(id)),
  cancelPrivateChat: (c) => c.classroom.openChat(undefined),
  kickParticipant: withId((c, id) => c.removeParticipant(id)),
  grantModerator: withId((c, id) => c.grantModerator(id)),
  // Jitsi: (message, to = '' for everyone, ignorePrivacy)
  sendChatMessage: (c, [message, to]) => typeof message === 'string' && c.sendChat(message, str(to)),
  answerKnockingParticipant: withId((c, id, [approved]) => c.moderate({ action: approved === true ? 'admit' : 'deny', participantId: id })),
  pinParticipant: (c, [id, videoType]) => c.layout.pin(str(id), source(videoType)),
  setParticipantVolume: withId((c, id, [volume]) => typeof volume === 'number' && c.setParticipantVolume(id, volume)),
  toggleParticipantsPane: (c, [open]) => c.view.togglePanel('people', typeof open === 'boolean' ? open : undefined),
  // Jitsi's AV moderation is Confab's lecture mode: everyone else hard-muted until allowed.
  toggleModeration: (c, [enable, mediaType]) =>
    c.moderate(enable === true ? { action: 'mute-everyone', kind: kind(mediaType), hard: true } : { action: 'allow-unmute-everyone', kind: kind(mediaType) }),
  askToUnmute: withId((c, id) => c.moderate({ action: 'allow-unmute', participantId: id, kind: 'audio' })),
  approveVideo: withId((c, id) => c.moderate({ action: 'allow-unmute', participantId: id, kind: 'video' })),
  rejectParticipant: withId((c, id, [mediaType]) => c.moderate({ action: 'mute', participantId: id, kind: kind(mediaType), hard: true })),
  showNotification: (c, [n]) => {
    const { title, description, uid } = (typeof n === 'object' && n !== null ? n : {}) as Record<string, unknown>;
    const text = [title, description].filter((t): t is string => typeof t === 'string' && t !== '').join(': ');
    if (text) c.view.showNotification(text.slice(0, 500), typeof uid === 'string' ? uid : undefined);
  },
  hideNotification: (c, [uid]) => typeof uid === 'string' && c.view.hideNotification(uid),
  toggleCameraMirror: (c) => c.view.setSelfView({ mirrored: !c.view.selfMirrored }),
};

/** Runs a command, or names it in a console warning when Confab does not support it. */
export function runCommand(conference: CommandTarget, name: string, args: readonly unknown[], warn: (message: string) => void = console.warn): void {
  const entry = entryOf('command', name);
  if (entry?.status !== 'supported') return warn(refusal('command', name));
  COMMAND_HANDLERS[name as SupportedCommand](conference, args);
}
