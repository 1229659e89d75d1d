/**
 * Every part of Jitsi's documented embed API (iframe API commands, events
 * and functions) and the link options (`#config.*`, `#interfaceConfig.*`,
 * `#userInfo.*`) class platforms use, each either supported or refused with
 * the reason. Refused ones are named in a console warning when a page uses
 * them (commands.ts, external_api.ts, hash-options.ts); the handler tables
 * are typed by this catalogue, so a command marked supported does not
 * compile without its handler. docs/running-a-class.md lists the same
 * (catalogue.test.ts checks the docs against this file).
 */

export type EmbedStatus = 'supported' | 'refused';
export interface EmbedEntry {
  readonly status: EmbedStatus;
  /** What Confab does with it, or why it does not. */
  readonly note: string;
}

const yes = (note: string) => ({ status: 'supported', note }) as const;
const no = (note: string) => ({ status: 'refused', note }) as const;

const NO_RECORDING = 'Confab does not record or stream';
const NO_BREAKOUT = 'Confab has no breakout rooms';
const NO_DEVICES = 'device choice stays in the browser';

/** `api.executeCommand(name, ...args)`. */
export const COMMANDS = {
  displayName: yes('renames you for everyone'),
  password: no('Confab has no room passwords: lock the room or use the lobby'),
  toggleLobby: yes('moderators: the lobby on (true) or off (false)'),
  sendTones: no('Confab has no phone dial-in'),
  startShareVideo: no('Confab does not share videos from a URL'),
  stopShareVideo: no('Confab does not share videos from a URL'),
  subject: yes('moderators: the subject for everyone; applied when you become moderator otherwise'),
  localSubject: yes('a subject shown on this page only'),
  toggleAudio: yes('mutes or unmutes your microphone'),
  toggleVideo: yes('turns your camera off or on'),
  toggleFilmStrip: yes('hides or shows the other tiles beside the large video'),
  toggleChat: yes('opens or closes the chat panel'),
  toggleRaiseHand: yes('raises or lowers your hand'),
  toggleShareScreen: yes('starts or stops sharing your screen'),
  setNoiseSuppressionEnabled: no("the browser's own noise suppression is always on"),
  toggleSubtitles: no('Confab has no subtitles'),
  setSubtitles: no('Confab has no subtitles'),
  toggleTileView: yes('tile view (everyone the same size) or stage view (one large video)'),
  setTileView: yes('tile view on (true) or off (false)'),
  hangup: yes('leaves the meeting'),
  endConference: yes('moderators: ends the class for everyone'),
  email: no("the email comes from the token (context.user.email)"),
  avatarUrl: no("avatars come from the token (context.user.avatar): a page cannot make other people's browsers load a URL"),
  sendCameraFacingMode: no('Confab has no remote camera control'),
  sendEndpointTextMessage: no('Confab has no data-channel messages: use sendChatMessage'),
  setLargeVideoParticipant: yes("shows that participant's camera large (no id: back to the automatic choice)"),
  setVideoQuality: no('the camera resolution is set at join (config.resolution)'),
  muteEveryone: yes("moderators: mutes everyone's microphone ('audio') or camera ('video')"),
  startRecording: no(NO_RECORDING),
  stopRecording: no(NO_RECORDING),
  initiatePrivateChat: yes('opens the chat with that participant as the recipient'),
  cancelPrivateChat: yes('the chat goes back to everyone'),
  kickParticipant: yes('moderators: removes that participant (they can come back with their link; the People panel can also block)'),
  grantModerator: yes('moderators: makes that participant a moderator'),
  overwriteConfig: no('options are read from the link at join; they cannot change during the call'),
  sendChatMessage: yes('to everyone, or privately to a participant id'),
  setFollowMe: no('Confab has no follow-me'),
  answerKnockingParticipant: yes('moderators: admits (true) or denies (false) someone waiting in the lobby'),
  toggleCamera: no('Confab has no front/back camera switch'),
  toggleCameraMirror: yes('mirrors your own video on this page, or stops mirroring it (mirrored by default)'),
  toggleVirtualBackgroundDialog: no('Confab has no virtual backgrounds'),
  pinParticipant: yes("shows that participant's camera large until unpinned (no id: unpin)"),
  setParticipantVolume: yes("sets how loud that participant plays on this page (0 to 1)"),
  toggleParticipantsPane: yes('opens or closes the People panel (true/false, or toggles)'),
  toggleModeration: yes('moderators: lecture mode on or off for audio (default) or video: everyone else hard-muted'),
  askToUnmute: yes("moderators: lifts that participant's microphone hard mute"),
  approveVideo: yes("moderators: lifts that participant's camera hard mute"),
  rejectParticipant: yes('moderators: hard-mutes that participant (audio by default, or video)'),
  addBreakoutRoom: no(NO_BREAKOUT),
  autoAssignToBreakoutRooms: no(NO_BREAKOUT),
  closeBreakoutRoom: no(NO_BREAKOUT),
  joinBreakoutRoom: no(NO_BREAKOUT),
  removeBreakoutRoom: no(NO_BREAKOUT),
  sendParticipantToRoom: no(NO_BREAKOUT),
  resizeFilmStrip: no('the layout sizes itself to the window'),
  resizeLargeVideo: no('the layout sizes itself to the window'),
  overwriteNames: no('names are what people chose; they cannot be changed for one page'),
  showNotification: yes('shows a notice on this page (title and description)'),
  hideNotification: yes('hides the notice with that uid'),
  toggleWhiteboard: no('Confab has no whiteboard'),
} as const;

/** Events a platform listens to with `api.addListener(name, listener)`. */
export const EVENTS = {
  cameraError: yes('the camera could not be opened: {type, message}'),
  avatarChanged: no('avatars come from tokens and do not change during a call'),
  audioAvailabilityChanged: no('not tracked: see cameraError and micError'),
  audioMuteStatusChanged: yes('your microphone: {muted}'),
  breakoutRoomsUpdated: no(NO_BREAKOUT),
  browserSupport: no('every current browser with WebRTC is supported'),
  contentSharingParticipantsChanged: yes('who shares a screen now: {data: [ids]}'),
  dataChannelOpened: no('Confab has no data-channel messages'),
  endpointTextMessageReceived: no('Confab has no data-channel messages: see incomingMessage'),
  faceLandmarkDetected: no('Confab does not analyse video'),
  errorOccurred: yes('a fatal error with its code: {name, message, type, isFatal}'),
  knockingParticipant: yes('moderators: someone started waiting in the lobby: {participant: {id, name}}'),
  largeVideoChanged: yes('who is shown large: {id}'),
  log: no('the page logs to the browser console'),
  micError: yes('the microphone could not be opened: {type, message}'),
  screenSharingStatusChanged: yes('your screen share: {on}'),
  dominantSpeakerChanged: yes('{ id }: who has the floor, from the audio levels of everyone\'s packets'),
  raiseHandUpdated: yes('a hand went up or down: {id, handRaised} (0 when lowered)'),
  tileViewChanged: yes('tile view on or off: {enabled}'),
  chatUpdated: yes('the chat panel opened or closed, or got a message: {isOpen, unreadCount}'),
  incomingMessage: yes('a chat message from someone else: {from, nick, message, privateMessage}'),
  mouseEnter: no('the iframe does not report the mouse'),
  mouseLeave: no('the iframe does not report the mouse'),
  mouseMove: no('the iframe does not report the mouse'),
  toolbarButtonClicked: no('toolbar clicks are not reported'),
  outgoingMessage: yes('a chat message you sent: {message, privateMessage}'),
  displayNameChange: yes('someone changed their name: {id, displayname}'),
  deviceListChanged: no(NO_DEVICES),
  emailChange: no('emails come from tokens'),
  feedbackSubmitted: no('Confab has no feedback form'),
  filmstripDisplayChanged: yes('the other tiles beside the large video shown or hidden: {visible}'),
  moderationStatusChanged: yes('lecture mode changed: {mediaType, enabled}'),
  moderationParticipantApproved: yes("a participant's hard mute was lifted: {id, mediaType}"),
  moderationParticipantRejected: yes('a participant was hard-muted: {id, mediaType}'),
  participantJoined: yes('{id, displayName}'),
  participantKickedOut: yes('someone (or you: local) was removed: {kicked: {id, local}, kicker: {id}}'),
  participantLeft: yes('{id}'),
  participantRoleChanged: yes('{id, role}, also for you when you join'),
  participantsPaneToggled: yes('the People panel opened or closed: {open}'),
  passwordRequired: no('Confab has no room passwords'),
  videoConferenceJoined: yes('{roomName, id, displayName, avatarURL, breakoutRoom: false}'),
  videoConferenceLeft: yes('{roomName}'),
  videoAvailabilityChanged: no('not tracked: see cameraError'),
  videoMuteStatusChanged: yes('your camera: {muted}'),
  videoQualityChanged: no('the camera resolution is set at join'),
  readyToClose: yes('after you left: the iframe can go'),
  recordingLinkAvailable: no(NO_RECORDING),
  recordingStatusChanged: no(NO_RECORDING),
  subjectChange: yes('the subject changed: {subject}'),
  suspendDetected: no('not detected; a dropped connection resumes by itself'),
  peerConnectionFailure: no('media failures are repaired by the page and logged on the server'),
} as const;

/** Methods of `JitsiMeetExternalAPI` beyond executeCommand and the listener methods. */
export const FUNCTIONS = {
  captureCameraPicture: no('Confab does not take pictures'),
  captureLargeVideoScreenshot: no('Confab does not take screenshots'),
  getAvailableDevices: no(NO_DEVICES),
  getConnectionStats: no('connection statistics are on the server (/metrics)'),
  getContentSharingParticipants: yes('resolves with {sharingParticipantIds}'),
  getCurrentDevices: no(NO_DEVICES),
  getDeploymentInfo: no('Confab is one deployment: nothing to report'),
  getLivestreamUrl: no(NO_RECORDING),
  getParticipantsInfo: yes('everyone, you included: [{participantId, displayName, formattedDisplayName, avatarURL}]'),
  getRoomsInfo: yes('resolves with {rooms: [the meeting, with its participants and roles]}'),
  getSessionId: no('the REST API and webhooks identify class sessions'),
  getSharedDocumentUrl: no('Confab has no shared document'),
  getVideoQuality: no('the camera resolution is set at join'),
  getSupportedCommands: yes('the supported commands'),
  getSupportedEvents: yes('the supported events'),
  isDeviceChangeAvailable: no(NO_DEVICES),
  isDeviceListAvailable: no(NO_DEVICES),
  isMultipleAudioInputSupported: no(NO_DEVICES),
  pinParticipant: yes('as the pinParticipant command'),
  resizeLargeVideo: no('the layout sizes itself to the window'),
  setAudioInputDevice: no(NO_DEVICES),
  setAudioOutputDevice: no(NO_DEVICES),
  setLargeVideoParticipant: yes('as the setLargeVideoParticipant command'),
  setVideoInputDevice: no(NO_DEVICES),
  setVirtualBackground: no('Confab has no virtual backgrounds'),
  startRecording: no(NO_RECORDING),
  stopRecording: no(NO_RECORDING),
  getNumberOfParticipants: yes('everyone, you included'),
  getAvatarURL: yes("a participant's avatar from their token, or ''"),
  getDisplayName: yes("a participant's display name"),
  getEmail: no("emails are not shared with other participants"),
  getIFrame: yes('the iframe element'),
  isAudioDisabled: no('not tracked: see cameraError and micError'),
  isAudioMuted: yes('resolves with your microphone state'),
  isVideoMuted: yes('resolves with your camera state'),
  isAudioAvailable: no('not tracked: see micError'),
  isVideoAvailable: no('not tracked: see cameraError'),
  isVisitor: yes('false: Confab has no visitors'),
  isModerationOn: yes("resolves with lecture mode for 'audio' (default) or 'video'"),
  isP2pActive: yes('resolves with false: media always goes through the server'),
  isParticipantForceMuted: yes('resolves with whether a moderator hard-muted that participant'),
  isParticipantsPaneOpen: yes('resolves with whether the People panel is open'),
  isStartSilent: yes('resolves with whether the page joined with config.startSilent'),
  listBreakoutRooms: no(NO_BREAKOUT),
  invite: no('Confab does not call phones or SIP addresses: share the link'),
  dispose: yes('leaves and removes the iframe'),
} as const;

/**
 * Link options, in the URL's hash or an embed's configOverwrite /
 * interfaceConfigOverwrite / userInfo. An option Confab has nothing to do
 * for (it never shows a watermark, never records) is supported with the
 * value that says so, and refused with any other (OFF_ONLY).
 */
export const LINK_OPTIONS = {
  'config.prejoinConfig.enabled': yes('false skips the prejoin screen and joins at once'),
  'config.prejoinPageEnabled': yes('the older name of config.prejoinConfig.enabled'),
  'config.requireDisplayName': yes('the prejoin screen needs a name (shown even when skipped, if there is no name)'),
  'config.readOnlyName': yes('the name from the link or token cannot be changed'),
  'userInfo.displayName': yes('your display name'),
  'userInfo.email': no("the email comes from the token (context.user.email)"),
  'config.startWithAudioMuted': yes('join with the microphone muted'),
  'config.startWithVideoMuted': yes('join with the camera off'),
  'config.startAudioMuted': yes('a number N: join with the microphone muted when N people are already in (true: always)'),
  'config.startVideoMuted': yes('a number N: join with the camera off when N people are already in (true: always)'),
  'config.startSilent': yes('join muted and hear nothing (a listen-only screen, e.g. for a projector)'),
  'config.startAudioOnly': no('Confab always receives video; use config.startWithVideoMuted for your camera'),
  'config.startScreenSharing': no('browsers share a screen only after a click'),
  'config.resolution': yes('camera height to ask for (90-1080, default 360)'),
  'config.channelLastN': yes("video of at most N others: on stage, sharing a screen, or who spoke last (-1: everyone's; default: the server's CHANNEL_LAST_N); audio is always everyone's"),
  'config.videoQuality.preferredCodec': yes("'VP8' or 'H264' to send first"),
  'config.subject': yes('the subject, set for everyone by a moderator'),
  'config.localSubject': yes('a subject shown on this page only'),
  'config.hideConferenceSubject': yes('hides the subject'),
  'config.disableTileView': yes('stage view (one large video) and no tile view'),
  'config.disableSelfView': yes('hides your own tile'),
  'config.toolbarButtons': yes("only these toolbar buttons: 'microphone', 'camera', 'desktop', 'raisehand', 'chat', 'participants-pane', 'hangup'"),
  'interfaceConfig.TOOLBAR_BUTTONS': yes('the older name of config.toolbarButtons'),
  'interfaceConfig.APP_NAME': yes("the page title's name instead of Confab"),
  'config.defaultLanguage': no('the page is in English'),
  'config.disableDeepLinking': yes('true: nothing to do, Confab never sends people to a mobile app'),
  'config.lobby.autoKnock': yes('true: nothing to do, Confab always knocks when the lobby is on'),
  'config.lobby.enableChat': no('people waiting in the lobby cannot chat'),
  'config.p2p.enabled': yes('false: nothing to do, media always goes through the server'),
  'config.disableInviteFunctions': yes('true: nothing to do, Confab has no invite dialog'),
  'config.fileRecordingsEnabled': yes(`false: nothing to turn off, ${NO_RECORDING}`),
  'config.liveStreamingEnabled': yes(`false: nothing to turn off, ${NO_RECORDING}`),
  'config.recordingService.enabled': yes(`false: nothing to turn off, ${NO_RECORDING}`),
  'config.transcribingEnabled': yes('false: nothing to turn off, Confab does not transcribe'),
  'config.disableRemoteMute': no('moderators can always mute'),
  'config.remoteVideoMenu.disableKick': no('moderators can always remove'),
  'config.breakoutRooms.hideAddRoomButton': yes(`true: nothing to hide, ${NO_BREAKOUT}`),
  'config.whiteboard.enabled': yes('false: nothing to turn off, Confab has no whiteboard'),
  'interfaceConfig.SHOW_JITSI_WATERMARK': yes('false: nothing to hide, Confab shows no watermark'),
  'interfaceConfig.SHOW_WATERMARK_FOR_GUESTS': yes('false: nothing to hide, Confab shows no watermark'),
  'interfaceConfig.SHOW_BRAND_WATERMARK': yes('false: nothing to hide, Confab shows no watermark'),
  'interfaceConfig.SHOW_POWERED_BY': yes('false: nothing to hide'),
  'interfaceConfig.MOBILE_APP_PROMO': yes('false: nothing to hide, Confab has no app'),
  'interfaceConfig.SHOW_CHROME_EXTENSION_BANNER': yes('false: nothing to hide'),
  'interfaceConfig.HIDE_INVITE_MORE_HEADER': yes('true: nothing to hide'),
  'interfaceConfig.DISABLE_JOIN_LEAVE_NOTIFICATIONS': yes('true: nothing to hide, Confab shows no join or leave notices'),
  'interfaceConfig.DEFAULT_REMOTE_DISPLAY_NAME': no("someone without a name is 'Guest N'"),
  'interfaceConfig.TILE_VIEW_MAX_COLUMNS': no('the grid sizes itself to the window'),
  'interfaceConfig.filmStripOnly': no('the layout is chosen with tile view and pinning'),
} as const;

/**
 * Options only one value of which is what Confab does: that value (of either
 * type Jitsi accepts) is silent, any other is refused with a warning.
 */
export const OFF_ONLY: Readonly<Partial<Record<keyof typeof LINK_OPTIONS, boolean>>> = {
  'config.disableDeepLinking': true,
  'config.lobby.autoKnock': true,
  'config.p2p.enabled': false,
  'config.disableInviteFunctions': true,
  'config.fileRecordingsEnabled': false,
  'config.liveStreamingEnabled': false,
  'config.recordingService.enabled': false,
  'config.transcribingEnabled': false,
  'config.breakoutRooms.hideAddRoomButton': true,
  'config.whiteboard.enabled': false,
  'interfaceConfig.SHOW_JITSI_WATERMARK': false,
  'interfaceConfig.SHOW_WATERMARK_FOR_GUESTS': false,
  'interfaceConfig.SHOW_BRAND_WATERMARK': false,
  'interfaceConfig.SHOW_POWERED_BY': false,
  'interfaceConfig.MOBILE_APP_PROMO': false,
  'interfaceConfig.SHOW_CHROME_EXTENSION_BANNER': false,
  'interfaceConfig.HIDE_INVITE_MORE_HEADER': true,
  'interfaceConfig.DISABLE_JOIN_LEAVE_NOTIFICATIONS': true,
};

type Supported<T> = { [K in keyof T]: T[K] extends { status: 'supported' } ? K : never }[keyof T];
export type SupportedCommand = Supported<typeof COMMANDS>;
export type SupportedEvent = Supported<typeof EVENTS>;
export type SupportedFunction = Supported<typeof FUNCTIONS>;

export type CatalogueName = 'command' | 'event' | 'function' | 'link option';
const TABLES: Record<CatalogueName, Record<string, EmbedEntry>> = { command: COMMANDS, event: EVENTS, function: FUNCTIONS, 'link option': LINK_OPTIONS };

/** The entry for a name, if the catalogue has it (an own property: 'toString' is nobody's command). */
export function entryOf(kind: CatalogueName, name: string): EmbedEntry | undefined {
  const table = TABLES[kind];
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

export function supportedNames(kind: CatalogueName): string[] {
  return Object.entries(TABLES[kind])
    .filter(([, e]) => e.status === 'supported')
    .map(([name]) => name);
}

/** The console warning for something refused or unknown, naming it and saying why. */
export function refusal(kind: CatalogueName, name: string): string {
  const entry = entryOf(kind, name);
  const shown = name.length > 80 ? `${name.slice(0, 80)}…` : name;
  if (!entry && kind === 'link option') return `confab: link option '${shown}' is not supported (ignored)`;
  if (!entry) return `confab: embed ${kind} '${shown}' is not part of Jitsi's API as Confab knows it: ignored`;
  const verb = kind === 'event' ? 'is never sent' : kind === 'link option' ? 'is not supported (ignored)' : 'is not supported';
  return `confab: ${kind === 'link option' ? 'link option' : `embed ${kind}`} '${shown}' ${verb}: ${entry.note}`;
}
