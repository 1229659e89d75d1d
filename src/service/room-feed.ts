/**
 * What a joined participant hears about the room beyond presence: the room
 * state (lock, lobby, lecture mode), chat (room messages, and private ones
 * to or from them), who has the floor (dominant speaker), and, for
 * moderators only, who is waiting in the lobby.
 * `sendSnapshot` gives a newcomer the current picture right after welcome.
 */
import type { Participant } from '../conference/participant.js';
import { isModerator } from '../conference/permissions.js';
import type { Room } from '../conference/room.js';
import type { ChatMessage } from '../protocol/messages.js';
import type { SignalingChannel } from './signaling-channel.js';

/** Subscribes; returns the unsubscribers. */
export function followRoom(room: Room, self: Participant, channel: SignalingChannel): (() => void)[] {
  const sendLobby = (): void => channel.send({ type: 'lobby', waiting: room.lobby.list() });
  return [
    room.on('stateChanged', (state) => channel.send({ type: 'room-state', state })),
    room.on('dominantSpeakerChanged', (participantId) => channel.send({ type: 'dominant-speaker', participantId })),
    room.on('chatMessage', (message) => {
      if (isFor(message, self.id)) channel.send({ type: 'chat', messages: [message], history: false });
    }),
    room.on('lobbyChanged', () => isModerator(self) && sendLobby()),
    // A new moderator needs the lobby they now answer for.
    room.on('participantRoleChanged', (p) => p === self && isModerator(self) && sendLobby()),
  ];
}

/** The room as it is now, for someone who just got their welcome. */
export function sendSnapshot(room: Room, self: Participant, channel: SignalingChannel): void {
  channel.send({ type: 'room-state', state: room.state() });
  const history = room.chat.history();
  if (history.length > 0) channel.send({ type: 'chat', messages: history, history: true });
  if (isModerator(self) && room.lobby.size > 0) channel.send({ type: 'lobby', waiting: room.lobby.list() });
  if (room.dominantSpeaker !== null) channel.send({ type: 'dominant-speaker', participantId: room.dominantSpeaker });
}

function isFor(message: ChatMessage, participantId: string): boolean {
  return message.to === undefined || message.to === participantId || message.from === participantId;
}
