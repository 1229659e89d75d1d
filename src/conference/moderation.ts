/**
 * What a moderator can do to a room and the people in it. Permissions are
 * checked first (permissions.ts), then the target: a participant or knock
 * that is gone is `participant_not_found`. Everything here is domain
 * state; the media layer follows it (a muted track is not forwarded), and
 * the service turns the events into messages.
 */
import { ConfabError } from '../protocol/errors.js';
import type { MediaKind, ModerationRequest } from '../protocol/messages.js';
import type { Participant } from './participant.js';
import { requireModerator } from './permissions.js';
import type { Room } from './room.js';

export function moderate(room: Room, actor: Participant, request: ModerationRequest): void {
  requireModerator(actor, request.action);
  switch (request.action) {
    case 'mute':
      return target(room, request.participantId).muteByModerator(request.kind, request.hard);
    case 'mute-everyone':
      return muteEveryone(room, actor, request.kind, request.hard);
    case 'allow-unmute':
      return target(room, request.participantId).allowUnmute(request.kind);
    case 'allow-unmute-everyone':
      room.setHardMuted(request.kind, false);
      for (const p of room.participants.values()) p.allowUnmute(request.kind);
      return;
    case 'remove':
      if (request.block) return room.removeAndBlock(target(room, request.participantId));
      return target(room, request.participantId).close('removed');
    case 'grant-moderator':
      return target(room, request.participantId).setRole('moderator');
    case 'lower-hand':
      return room.setHandRaised(target(room, request.participantId), false);
    case 'lock-room':
      return room.setLocked(request.locked);
    case 'set-lobby':
      return room.setLobbyEnabled(request.enabled);
    case 'admit':
    case 'deny':
      if (!room.lobby.decide(request.participantId, request.action === 'admit' ? 'admitted' : 'denied')) {
        throw new ConfabError('participant_not_found', `nobody with knock id ${request.participantId} is waiting in the lobby`);
      }
      return;
    case 'end-conference':
      return room.end();
    case 'set-subject':
      return room.setSubject(request.subject);
  }
}

/**
 * Mutes everyone but the moderator asking. A hard mute-everyone is lecture
 * mode: it also holds for people who join later, until allowed again.
 */
function muteEveryone(room: Room, actor: Participant, kind: MediaKind, hard: boolean): void {
  if (hard) room.setHardMuted(kind, true);
  for (const p of room.participants.values()) if (p !== actor) p.muteByModerator(kind, hard);
}

function target(room: Room, participantId: string): Participant {
  const participant = room.participants.get(participantId);
  if (!participant) throw new ConfabError('participant_not_found', `no participant ${participantId} in this room`);
  return participant;
}
