/**
 * What a Conference is given (options from the page) and what it tells the
 * page around it (events, which the embed API forwards to the host page).
 */
import type { ParticipantInfo } from '../../src/protocol/messages.js';

export interface ConferenceOptions {
  room: string;
  tenant: string | undefined;
  displayName: string;
  /** Jitsi-style token from the page URL (?jwt=...), verified by the server at hello. */
  token: string | undefined;
  /** A rejoin ticket from an earlier conference on this page (Rejoin after Leave). */
  rejoinTicket?: string;
  audioMuted: boolean;
  videoMuted: boolean;
  preferredCodec: string | undefined;
  stream: MediaStream | undefined;
  /** Why the camera or microphone could not be opened, reported to the server once joined. */
  deviceError?: string;
  onFatal(code: string, message: string): void;
  onLeft(): void;
}

/** 'lobby': waiting for a moderator to let us in. */
export type ConferenceState = 'connecting' | 'lobby' | 'joined' | 'reconnecting' | 'left' | 'failed';

/** What the conference tells the page around it (the embed API listens here). */
export interface ConferenceEvents {
  joined: [{ participantId: string; room: string; displayName: string; role: string }];
  left: [];
  participantJoined: [ParticipantInfo];
  participantLeft: [string];
  participantUpdated: [ParticipantInfo];
  localMuteChanged: [{ kind: 'audio' | 'video'; muted: boolean }];
  // Class features, shaped like Jitsi's iframe API events.
  /** handRaised: the server time the hand went up, 0 when lowered. */
  raiseHandUpdated: [{ id: string; handRaised: number }];
  participantRoleChanged: [{ id: string; role: string }];
  /** A chat message from someone else (ours come back too, but are not "incoming"). */
  incomingMessage: [{ from: string; nick: string; message: string; privateMessage: boolean; stamp: number }];
  screenSharingStatusChanged: [{ on: boolean }];
  /** Moderators: someone started waiting in the lobby. */
  knockingParticipant: [{ participant: { id: string; name: string } }];
  /** We are waiting in the lobby. */
  lobbyWaiting: [];
}
