import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ParticipantInfo } from '../../../src/protocol/messages.js';
import type { ConferenceEvents } from '../conference-types.js';
import { Emitter } from '../events.js';
import { supportedNames, type SupportedEvent } from './catalogue.js';
import { forwardEvents, QUERIES, type QueryTarget } from './events.js';

const person = (id: string, displayName: string, extra: Partial<ParticipantInfo> = {}): ParticipantInfo => ({
  id,
  displayName,
  role: 'participant',
  audioMuted: false,
  videoMuted: false,
  audioLocked: false,
  videoLocked: false,
  handRaisedAt: null,
  joinedAt: 1,
  connectionInterrupted: false,
  blockable: false,
  ...extra,
});

/** For each supported event: what the conference emits, and the Jitsi event(s) the embedder must get. */
const CASES: Record<SupportedEvent, [trigger: (e: Emitter<ConferenceEvents>) => void, expected: [SupportedEvent, Record<string, unknown>][]]> = {
  videoConferenceJoined: [
    (e) => e.emit('joined', { participantId: 'me', room: 'тест', displayName: 'Ada', role: 'moderator', avatarUrl: 'https://x.example/a.png' }),
    [
      ['videoConferenceJoined', { roomName: 'тест', id: 'me', displayName: 'Ada', avatarURL: 'https://x.example/a.png', breakoutRoom: false }],
      ['participantRoleChanged', { id: 'me', role: 'moderator' }],
    ],
  ],
  participantRoleChanged: [(e) => e.emit('participantRoleChanged', { id: 'p2', role: 'moderator' }), [['participantRoleChanged', { id: 'p2', role: 'moderator' }]]],
  videoConferenceLeft: [(e) => e.emit('left'), [['videoConferenceLeft', { roomName: '' }], ['readyToClose', {}]]],
  readyToClose: [(e) => e.emit('left'), [['videoConferenceLeft', { roomName: '' }], ['readyToClose', {}]]],
  participantJoined: [(e) => e.emit('participantJoined', person('p2', 'Bob')), [['participantJoined', { id: 'p2', displayName: 'Bob', avatarURL: '' }]]],
  participantLeft: [(e) => e.emit('participantLeft', 'p2'), [['participantLeft', { id: 'p2' }]]],
  displayNameChange: [
    (e) => {
      e.emit('participantJoined', person('p2', 'Bob'));
      e.emit('participantUpdated', person('p2', 'Bob', { audioMuted: true }));
      e.emit('participantUpdated', person('p2', 'Robert'));
    },
    [
      ['participantJoined', { id: 'p2', displayName: 'Bob', avatarURL: '' }],
      ['displayNameChange', { id: 'p2', displayname: 'Robert' }],
    ],
  ],
  audioMuteStatusChanged: [(e) => e.emit('localMuteChanged', { kind: 'audio', muted: true }), [['audioMuteStatusChanged', { muted: true }]]],
  videoMuteStatusChanged: [(e) => e.emit('localMuteChanged', { kind: 'video', muted: false }), [['videoMuteStatusChanged', { muted: false }]]],
  cameraError: [(e) => e.emit('deviceError', { device: 'camera', type: 'NotAllowedError', message: 'no' }), [['cameraError', { type: 'NotAllowedError', message: 'no' }]]],
  micError: [(e) => e.emit('deviceError', { device: 'microphone', type: 'NotFoundError', message: 'none' }), [['micError', { type: 'NotFoundError', message: 'none' }]]],
  raiseHandUpdated: [(e) => e.emit('raiseHandUpdated', { id: 'p2', handRaised: 5 }), [['raiseHandUpdated', { id: 'p2', handRaised: 5 }]]],
  incomingMessage: [
    (e) => e.emit('incomingMessage', { from: 'p2', nick: 'Bob', message: 'hi', privateMessage: false, stamp: 3 }),
    [['incomingMessage', { from: 'p2', nick: 'Bob', message: 'hi', privateMessage: false, stamp: 3 }]],
  ],
  outgoingMessage: [(e) => e.emit('outgoingMessage', { message: 'yo', privateMessage: true }), [['outgoingMessage', { message: 'yo', privateMessage: true }]]],
  screenSharingStatusChanged: [(e) => e.emit('screenSharingStatusChanged', { on: true }), [['screenSharingStatusChanged', { on: true }]]],
  contentSharingParticipantsChanged: [(e) => e.emit('contentSharingParticipantsChanged', { data: ['p2'] }), [['contentSharingParticipantsChanged', { data: ['p2'] }]]],
  knockingParticipant: [(e) => e.emit('knockingParticipant', { participant: { id: 'k1', name: 'Cy' } }), [['knockingParticipant', { participant: { id: 'k1', name: 'Cy' } }]]],
  tileViewChanged: [(e) => e.emit('tileViewChanged', { enabled: false }), [['tileViewChanged', { enabled: false }]]],
  dominantSpeakerChanged: [(e) => e.emit('dominantSpeakerChanged', { id: 'p2' }), [['dominantSpeakerChanged', { id: 'p2' }]]],
  largeVideoChanged: [(e) => e.emit('largeVideoChanged', { id: 'p2' }), [['largeVideoChanged', { id: 'p2' }]]],
  filmstripDisplayChanged: [(e) => e.emit('filmstripDisplayChanged', { visible: false }), [['filmstripDisplayChanged', { visible: false }]]],
  chatUpdated: [(e) => e.emit('chatUpdated', { isOpen: true, unreadCount: 0 }), [['chatUpdated', { isOpen: true, unreadCount: 0 }]]],
  participantsPaneToggled: [(e) => e.emit('participantsPaneToggled', { open: true }), [['participantsPaneToggled', { open: true }]]],
  subjectChange: [(e) => e.emit('subjectChange', { subject: 'Fractions' }), [['subjectChange', { subject: 'Fractions' }]]],
  moderationStatusChanged: [(e) => e.emit('moderationStatusChanged', { mediaType: 'audio', enabled: true }), [['moderationStatusChanged', { mediaType: 'audio', enabled: true }]]],
  moderationParticipantApproved: [(e) => e.emit('moderationParticipantApproved', { id: 'p2', mediaType: 'video' }), [['moderationParticipantApproved', { id: 'p2', mediaType: 'video' }]]],
  moderationParticipantRejected: [(e) => e.emit('moderationParticipantRejected', { id: 'p2', mediaType: 'audio' }), [['moderationParticipantRejected', { id: 'p2', mediaType: 'audio' }]]],
  participantKickedOut: [
    (e) => e.emit('participantKickedOut', { kicked: { id: 'p2', local: false }, kicker: { id: '' } }),
    [['participantKickedOut', { kicked: { id: 'p2', local: false }, kicker: { id: '' } }]],
  ],
  errorOccurred: [
    (e) => e.emit('errorOccurred', { name: 'conference_ended', message: 'over', type: 'CONFERENCE', isFatal: true }),
    [['errorOccurred', { name: 'conference_ended', message: 'over', type: 'CONFERENCE', isFatal: true }]],
  ],
};

describe('embed events', () => {
  test('every supported event has a case here, and only those', () => {
    assert.deepEqual(Object.keys(CASES).sort(), supportedNames('event').sort());
  });

  for (const [name, [trigger, expected]] of Object.entries(CASES)) {
    test(name, () => {
      const events = new Emitter<ConferenceEvents>();
      const sent: [string, Record<string, unknown>][] = [];
      const offs = forwardEvents(events, (n, data) => sent.push([n, data]));
      trigger(events);
      assert.deepEqual(sent, expected);
      for (const off of offs) off();
      trigger(events);
      assert.equal(sent.length, expected.length, 'nothing after unsubscribing');
    });
  }
});

describe('host page questions', () => {
  const participants = new Map([
    ['me', person('me', 'Ada', { role: 'moderator', avatarUrl: 'https://x.example/a.png' })],
    ['p2', person('p2', 'Bob', { audioLocked: true })],
  ]);
  const target = {
    audioMuted: true,
    videoMuted: false,
    sharingParticipants: ['p2'],
    classroom: { roomState: { locked: false, lobbyEnabled: false, hardMuted: { audio: false, video: true }, subject: '' } },
    view: { openPanel: 'people' },
    page: { startSilent: true },
    participants,
    participantId: 'me',
    room: 'maths-101',
  } as unknown as QueryTarget;
  const ask = (name: string, ...args: unknown[]): unknown => QUERIES[name]!(target, args);

  test('each answers from the conference', () => {
    assert.equal(ask('isAudioMuted'), true);
    assert.equal(ask('isVideoMuted'), false);
    assert.deepEqual(ask('getContentSharingParticipants'), { sharingParticipantIds: ['p2'] });
    assert.equal(ask('isModerationOn'), false);
    assert.equal(ask('isModerationOn', 'video'), true);
    assert.equal(ask('isParticipantForceMuted', 'p2'), true);
    assert.equal(ask('isParticipantForceMuted', 'p2', 'video'), false);
    assert.equal(ask('isParticipantForceMuted', 'nobody'), false);
    assert.equal(ask('isParticipantsPaneOpen'), true);
    assert.equal(ask('isStartSilent'), true);
    assert.equal(ask('isP2pActive'), false);
    assert.deepEqual(ask('getRoomsInfo'), {
      rooms: [
        {
          isMainRoom: true,
          id: 'maths-101',
          jid: 'maths-101',
          participants: [
            { id: 'me', jid: 'me', role: 'moderator', displayName: 'Ada', avatarUrl: 'https://x.example/a.png' },
            { id: 'p2', jid: 'p2', role: 'participant', displayName: 'Bob', avatarUrl: '' },
          ],
        },
      ],
    });
  });
});
