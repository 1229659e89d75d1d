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
  /** Which devices could not be opened, and why (the embed API's cameraError and micError). */
  deviceFailures?: readonly DeviceFailure[];
  /** Options from the link (hash-options.ts) that shape the page. */
  page?: Partial<PageOptions>;
  /** config.readOnlyName: the name cannot be changed during the call either. */
  readOnlyName?: boolean;
  onFatal(code: string, message: string): void;
  onLeft(): void;
}

export interface DeviceFailure {
  readonly device: 'camera' | 'microphone';
  /** The browser's error name, e.g. NotAllowedError. */
  readonly type: string;
  readonly message: string;
}

/** What a link can ask of the page (hash-options.ts has where each comes from). */
export interface PageOptions {
  /** Muted when at least this many are already in (config.startAudioMuted / startVideoMuted: N). */
  startAudioMutedAfter: number | undefined;
  startVideoMutedAfter: number | undefined;
  /** Nothing is played (config.startSilent). */
  startSilent: boolean;
  /** Set for everyone once we moderate (config.subject). */
  subject: string | undefined;
  /** Shown here only (config.localSubject). */
  localSubject: string | undefined;
  hideSubject: boolean;
  disableTileView: boolean;
  disableSelfView: boolean;
  /** Video of at most this many others (config.channelLastN; -1: everyone's); undefined: the server's default. */
  channelLastN?: number | undefined;
}

/** 'lobby': waiting for a moderator to let us in. */
export type ConferenceState = 'connecting' | 'lobby' | 'joined' | 'reconnecting' | 'left' | 'failed';

/** What the conference tells the page around it (the embed API listens here). */
export interface ConferenceEvents {
  joined: [{ participantId: string; room: string; displayName: string; role: string; avatarUrl: string }];
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
  // Layout and panels (layout.ts, ui/conference-view.ts).
  tileViewChanged: [{ enabled: boolean }];
  /** Who has the floor now (Jitsi's dominantSpeakerChanged). */
  dominantSpeakerChanged: [{ id: string }];
  largeVideoChanged: [{ id: string }];
  filmstripDisplayChanged: [{ visible: boolean }];
  chatUpdated: [{ isOpen: boolean; unreadCount: number }];
  participantsPaneToggled: [{ open: boolean }];
  // The room, as the server tells it.
  subjectChange: [{ subject: string }];
  /** Lecture mode (everyone else hard-muted) for a kind went on or off. */
  moderationStatusChanged: [{ mediaType: 'audio' | 'video'; enabled: boolean }];
  /** A participant's hard mute was lifted (approved) or set (rejected). */
  moderationParticipantApproved: [{ id: string; mediaType: 'audio' | 'video' }];
  moderationParticipantRejected: [{ id: string; mediaType: 'audio' | 'video' }];
  /** Someone, or we (local), was removed by a moderator. */
  participantKickedOut: [{ kicked: { id: string; local: boolean }; kicker: { id: string } }];
  /** A chat message we sent came back from the server. */
  outgoingMessage: [{ message: string; privateMessage: boolean }];
  /** Who shares a screen now. */
  contentSharingParticipantsChanged: [{ data: string[] }];
  /** An error with its catalogue code; isFatal: the conference ended. */
  errorOccurred: [{ name: string; message: string; type: 'CONFERENCE' | 'CONNECTION'; isFatal: boolean }];
  /** A camera or microphone could not be opened. */
  deviceError: [DeviceFailure];
}
