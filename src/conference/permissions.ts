/**
 * Who may do what in a room, decided here and nowhere else: the service
 * asks, the web client only hides buttons. Every moderation request needs
 * the moderator role; a participant asking gets `forbidden` (the request is
 * refused, the connection stays).
 */
import { ConfabError } from '../protocol/errors.js';
import type { ModerationAction } from '../protocol/messages.js';
import type { Participant } from './participant.js';

const WHAT: Record<ModerationAction, string> = {
  mute: 'mute another participant',
  'mute-everyone': 'mute everyone',
  'allow-unmute': 'allow a participant to unmute',
  'allow-unmute-everyone': 'allow everyone to unmute',
  remove: 'remove a participant',
  'grant-moderator': 'make someone a moderator',
  'lower-hand': "lower someone else's hand",
  'lock-room': 'lock or unlock the room',
  'set-lobby': 'turn the lobby on or off',
  admit: 'admit someone from the lobby',
  deny: 'deny someone in the lobby',
  'end-conference': 'end the meeting for everyone',
  'set-subject': 'set the meeting subject',
};

export function isModerator(participant: Participant): boolean {
  return participant.role === 'moderator' && !participant.closed;
}

/** Throws `forbidden` unless `actor` may perform `action`. */
export function requireModerator(actor: Participant, action: ModerationAction): void {
  if (!isModerator(actor)) throw new ConfabError('forbidden', `only a moderator can ${WHAT[action]}`);
}

/** A lobby applies to everyone but moderators (by token claim or auto-owner). */
export function mustWaitInLobby(lobbyEnabled: boolean, role: Participant['role']): boolean {
  return lobbyEnabled && role !== 'moderator';
}
