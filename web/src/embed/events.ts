/**
 * The conference's events under Jitsi's iframe API names and shapes, for
 * the embedding page (bridge.ts posts them), and the questions the host
 * page's functions ask (isAudioMuted(), getRoomsInfo()...). Every event the
 * catalogue marks supported is sent from here (events.test.ts checks each).
 */
import type { Emitter } from '../events.js';
import type { Conference } from '../conference.js';
import type { ConferenceEvents } from '../conference-types.js';
import type { SupportedEvent } from './catalogue.js';

export type EmitEmbedEvent = (name: SupportedEvent, data: Record<string, unknown>) => void;

/** Forwards `events` as Jitsi's events; returns the unsubscribers. */
export function forwardEvents(events: Emitter<ConferenceEvents>, emit: EmitEmbedEvent): (() => void)[] {
  let room = '';
  // Jitsi's displayNameChange fires when a name changes, not on every other update.
  const names = new Map<string, string>();
  return [
    events.on('joined', (j) => {
      room = j.room;
      names.set(j.participantId, j.displayName);
      emit('videoConferenceJoined', { roomName: j.room, id: j.participantId, displayName: j.displayName, avatarURL: j.avatarUrl, breakoutRoom: false });
      emit('participantRoleChanged', { id: j.participantId, role: j.role });
    }),
    events.on('left', () => {
      emit('videoConferenceLeft', { roomName: room });
      emit('readyToClose', {});
    }),
    events.on('participantJoined', (p) => {
      names.set(p.id, p.displayName);
      // avatarURL is Confab's addition, for getAvatarURL() in the host page.
      emit('participantJoined', { id: p.id, displayName: p.displayName, avatarURL: p.avatarUrl ?? '' });
    }),
    events.on('participantLeft', (id) => {
      names.delete(id);
      emit('participantLeft', { id });
    }),
    events.on('participantUpdated', (p) => {
      if (names.get(p.id) === p.displayName) return;
      names.set(p.id, p.displayName);
      emit('displayNameChange', { id: p.id, displayname: p.displayName });
    }),
    events.on('localMuteChanged', ({ kind, muted }) => emit(kind === 'audio' ? 'audioMuteStatusChanged' : 'videoMuteStatusChanged', { muted })),
    events.on('deviceError', ({ device, type, message }) => emit(device === 'camera' ? 'cameraError' : 'micError', { type, message })),
    // Already shaped like Jitsi's events.
    events.on('raiseHandUpdated', (d) => emit('raiseHandUpdated', d)),
    events.on('participantRoleChanged', (d) => emit('participantRoleChanged', d)),
    events.on('incomingMessage', (d) => emit('incomingMessage', d)),
    events.on('outgoingMessage', (d) => emit('outgoingMessage', d)),
    events.on('screenSharingStatusChanged', (d) => emit('screenSharingStatusChanged', d)),
    events.on('contentSharingParticipantsChanged', (d) => emit('contentSharingParticipantsChanged', d)),
    events.on('knockingParticipant', (d) => emit('knockingParticipant', d)),
    events.on('tileViewChanged', (d) => emit('tileViewChanged', d)),
    events.on('dominantSpeakerChanged', (d) => emit('dominantSpeakerChanged', d)),
    events.on('largeVideoChanged', (d) => emit('largeVideoChanged', d)),
    events.on('filmstripDisplayChanged', (d) => emit('filmstripDisplayChanged', d)),
    events.on('chatUpdated', (d) => emit('chatUpdated', d)),
    events.on('participantsPaneToggled', (d) => emit('participantsPaneToggled', d)),
    events.on('subjectChange', (d) => emit('subjectChange', d)),
    events.on('moderationStatusChanged', (d) => emit('moderationStatusChanged', d)),
    events.on('moderationParticipantApproved', (d) => emit('moderationParticipantApproved', d)),
    events.on('moderationParticipantRejected', (d) => emit('moderationParticipantRejected', d)),
    events.on('participantKickedOut', (d) => emit('participantKickedOut', d)),
    events.on('errorOccurred', (d) => emit('errorOccurred', d)),
  ];
}

/** What a query needs from the conference (a fake one in events.test.ts). */
export type QueryTarget = Pick<Conference, 'audioMuted' | 'videoMuted' | 'sharingParticipants' | 'classroom' | 'view' | 'page' | 'participants' | 'participantId'> & {
  readonly room: string;
};

const kind = (v: unknown): 'audio' | 'video' => (v === 'video' ? 'video' : 'audio');

/** The host page's functions that ask the page something: name -> answer. */
export const QUERIES: Readonly<Record<string, (c: QueryTarget, args: readonly unknown[]) => unknown>> = {
  isAudioMuted: (c) => c.audioMuted,
  isVideoMuted: (c) => c.videoMuted,
  getContentSharingParticipants: (c) => ({ sharingParticipantIds: c.sharingParticipants }),
  isModerationOn: (c, [mediaType]) => c.classroom.roomState.hardMuted[kind(mediaType)],
  isParticipantForceMuted: (c, [id, mediaType]) => {
    const p = typeof id === 'string' ? c.participants.get(id) : undefined;
    return p ? (kind(mediaType) === 'audio' ? p.audioLocked : p.videoLocked) : false;
  },
  isParticipantsPaneOpen: (c) => c.view.openPanel === 'people',
  isStartSilent: (c) => c.page.startSilent,
  isP2pActive: () => false,
  getRoomsInfo: (c) => ({
    rooms: [
      {
        isMainRoom: true,
        id: c.room,
        jid: c.room,
        participants: [...c.participants.values()].map((p) => ({ id: p.id, jid: p.id, role: p.role, displayName: p.displayName, avatarUrl: p.avatarUrl ?? '' })),
      },
    ],
  }),
};
