/**
 * Jitsi's executeCommand names, mapped onto the conference. An unknown
 * command is logged, never thrown, as in Jitsi. Moderator-only commands are
 * checked by the server, which answers a participant with `forbidden`.
 */
import type { Conference } from '../conference.js';

export function runCommand(conference: Conference, name: string, args: unknown[]): void {
  const c = conference;
  const [a0, a1] = args;
  switch (name) {
    case 'toggleAudio':
      return c.setMuted('audio', !c.audioMuted);
    case 'toggleVideo':
      return c.setMuted('video', !c.videoMuted);
    case 'hangup':
      return c.leave();
    case 'displayName':
      return typeof a0 === 'string' ? c.setDisplayName(a0) : undefined;
    case 'toggleRaiseHand':
      return c.toggleRaiseHand();
    case 'toggleShareScreen':
      return c.toggleScreenShare();
    case 'endConference':
      return c.endConference();
    case 'muteEveryone':
      return c.muteEveryone(a0 === 'video' ? 'video' : 'audio');
    case 'kickParticipant':
      return typeof a0 === 'string' ? c.removeParticipant(a0) : undefined;
    case 'sendChatMessage':
      // Jitsi: (message, to = '' for everyone, ignorePrivacy)
      return typeof a0 === 'string' ? c.sendChat(a0, typeof a1 === 'string' && a1 !== '' ? a1 : undefined) : undefined;
    case 'toggleLobby':
      return c.setLobby(a0 === true);
    default:
      console.warn(`confab: embed command '${name}' is not supported`);
  }
}
