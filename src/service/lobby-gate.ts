/**
 * Holds a joining participant in the room's lobby until a moderator
 * decides. The knocker's client is told it is waiting, and whether a
 * moderator is there to let it in (again whenever that changes); a denial ends the
 * join with `lobby_denied`; a connection that goes away withdraws the
 * knock; a room that closes meanwhile (everyone left) asks the caller to
 * try the join again, in whatever room the address has then.
 */
import type { Room } from '../conference/room.js';
import { ConfabError } from '../protocol/errors.js';
import type { Logger } from '../util/log.js';
import type { SignalingChannel } from './signaling-channel.js';

export type GateResult = 'admitted' | 'retry';

export async function waitInLobby(
  room: Room,
  displayName: string,
  identityKey: string | undefined,
  channel: SignalingChannel,
  signal: AbortSignal | undefined,
  log: Logger,
): Promise<GateResult> {
  if (signal?.aborted) throw new ConfabError('internal_error', 'the connection closed before joining');
  const knock = room.knock(displayName, identityKey);
  const id = knock.knocker.id;
  const onAbort = (): void => void room.lobby.decide(id, 'withdrawn');
  signal?.addEventListener('abort', onAbort, { once: true });
  // The knocker hears whether anyone can let them in yet, now and whenever that changes.
  let moderatorPresent = room.hasModerator;
  log.info({ room: room.key, knock: id, displayName, moderatorPresent }, 'waiting in the lobby');
  channel.send({ type: 'lobby-waiting', moderatorPresent });
  const recheck = (): void => {
    if (room.hasModerator === moderatorPresent || !room.lobby.has(id)) return;
    moderatorPresent = room.hasModerator;
    channel.send({ type: 'lobby-waiting', moderatorPresent });
  };
  const offs = [room.on('participantJoined', recheck), room.on('participantLeft', recheck), room.on('participantRoleChanged', recheck)];
  try {
    const decision = await knock.decision;
    log.info({ room: room.key, knock: id, decision }, 'lobby decision');
    if (decision === 'admitted') return 'admitted';
    if (decision === 'closed') return 'retry';
    if (decision === 'denied') {
      // Turned away because a moderator blocked this person: say that, not just "declined".
      room.refuseBlocked(identityKey);
      throw new ConfabError('lobby_denied');
    }
    if (decision === 'ended') throw new ConfabError('conference_ended');
    throw new ConfabError('internal_error', 'the connection closed while waiting in the lobby');
  } finally {
    signal?.removeEventListener('abort', onAbort);
    for (const off of offs) off();
  }
}
