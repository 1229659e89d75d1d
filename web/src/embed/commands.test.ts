import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS, supportedNames, type SupportedCommand } from './catalogue.js';
import { runCommand, type CommandTarget } from './commands.js';

/** A conference that records what each command asked of it. */
function fakeConference() {
  const calls: string[] = [];
  const shown = (a: unknown): string => (a === undefined ? 'undefined' : JSON.stringify(a));
  const record = (name: string) => (...args: unknown[]) => void calls.push(`${name}(${args.map(shown).join(', ')})`);
  const target = {
    audioMuted: false,
    videoMuted: true,
    setMuted: record('setMuted'),
    leave: record('leave'),
    setDisplayName: record('setDisplayName'),
    toggleRaiseHand: record('toggleRaiseHand'),
    toggleScreenShare: record('toggleScreenShare'),
    endConference: record('endConference'),
    muteEveryone: record('muteEveryone'),
    removeParticipant: record('removeParticipant'),
    grantModerator: record('grantModerator'),
    sendChat: record('sendChat'),
    setLobby: record('setLobby'),
    moderate: record('moderate'),
    setParticipantVolume: record('setParticipantVolume'),
    layout: { tileView: true, setTileView: record('layout.setTileView'), pin: record('layout.pin'), toggleFilmStrip: record('layout.toggleFilmStrip') },
    classroom: { setSubject: record('classroom.setSubject'), setLocalSubject: record('classroom.setLocalSubject'), openChat: record('classroom.openChat') },
    view: {
      selfMirrored: true,
      togglePanel: record('view.togglePanel'),
      showNotification: record('view.showNotification'),
      hideNotification: record('view.hideNotification'),
      setSelfView: record('view.setSelfView'),
    },
  };
  return { calls, target: target as unknown as CommandTarget };
}

/** Each supported command, how a platform calls it, and what the conference is asked to do. */
const CASES: Record<SupportedCommand, [args: unknown[], expected: string[]]> = {
  displayName: [['Ms Hopper'], ['setDisplayName("Ms Hopper")']],
  toggleLobby: [[true], ['setLobby(true)']],
  subject: [['Fractions'], ['classroom.setSubject("Fractions")']],
  localSubject: [['Room 12'], ['classroom.setLocalSubject("Room 12")']],
  toggleAudio: [[], ['setMuted("audio", true)']],
  toggleVideo: [[], ['setMuted("video", false)']],
  toggleFilmStrip: [[], ['layout.toggleFilmStrip()']],
  toggleChat: [[], ['view.togglePanel("chat")']],
  toggleRaiseHand: [[], ['toggleRaiseHand()']],
  toggleShareScreen: [[], ['toggleScreenShare()']],
  toggleTileView: [[], ['layout.setTileView(false)']],
  setTileView: [[true], ['layout.setTileView(true)']],
  hangup: [[], ['leave()']],
  endConference: [[], ['endConference()']],
  setLargeVideoParticipant: [['p2', 'desktop'], ['layout.pin("p2", "screen")']],
  muteEveryone: [['video'], ['muteEveryone("video")']],
  initiatePrivateChat: [['p2'], ['classroom.openChat("p2")']],
  cancelPrivateChat: [[], ['classroom.openChat(undefined)']],
  kickParticipant: [['p2'], ['removeParticipant("p2")']],
  grantModerator: [['p2'], ['grantModerator("p2")']],
  sendChatMessage: [['Hello', 'p2', false], ['sendChat("Hello", "p2")']],
  answerKnockingParticipant: [['k1', true], ['moderate({"action":"admit","participantId":"k1"})']],
  pinParticipant: [['p2'], ['layout.pin("p2", "camera")']],
  setParticipantVolume: [['p2', 0.25], ['setParticipantVolume("p2", 0.25)']],
  toggleParticipantsPane: [[true], ['view.togglePanel("people", true)']],
  toggleModeration: [[true, 'video'], ['moderate({"action":"mute-everyone","kind":"video","hard":true})']],
  askToUnmute: [['p2'], ['moderate({"action":"allow-unmute","participantId":"p2","kind":"audio"})']],
  approveVideo: [['p2'], ['moderate({"action":"allow-unmute","participantId":"p2","kind":"video"})']],
  rejectParticipant: [['p2'], ['moderate({"action":"mute","participantId":"p2","kind":"audio","hard":true})']],
  showNotification: [[{ title: 'Break', description: 'Back at 10:15', uid: 'n1' }], ['view.showNotification("Break: Back at 10:15", "n1")']],
  hideNotification: [['n1'], ['view.hideNotification("n1")']],
  toggleCameraMirror: [[], ['view.setSelfView({"mirrored":false})']],
};

describe('embed commands', () => {
  test('every supported command has a case here, and only those', () => {
    assert.deepEqual(Object.keys(CASES).sort(), supportedNames('command').sort());
  });

  for (const [name, [args, expected]] of Object.entries(CASES)) {
    test(`${name}(${args.map((a) => JSON.stringify(a)).join(', ')})`, () => {
      const { calls, target } = fakeConference();
      const warnings: string[] = [];
      runCommand(target, name, args, (w) => warnings.push(w));
      assert.deepEqual(calls, expected);
      assert.deepEqual(warnings, []);
    });
  }

  test('the other forms Jitsi allows: no id unpins, a private chat with no id is ignored, deny, lecture mode off, to everyone', () => {
    const cases: [string, unknown[], string[]][] = [
      ['pinParticipant', [], ['layout.pin(undefined, "camera")']],
      ['setLargeVideoParticipant', [null], ['layout.pin(undefined, "camera")']],
      ['initiatePrivateChat', [], []],
      ['answerKnockingParticipant', ['k1', false], ['moderate({"action":"deny","participantId":"k1"})']],
      ['toggleModeration', [false], ['moderate({"action":"allow-unmute-everyone","kind":"audio"})']],
      ['sendChatMessage', ['To all', ''], ['sendChat("To all", undefined)']],
      ['toggleLobby', [false], ['setLobby(false)']],
      ['muteEveryone', [], ['muteEveryone("audio")']],
      ['displayName', [42], []],
      ['toggleParticipantsPane', [], ['view.togglePanel("people", undefined)']],
    ];
    for (const [name, args, expected] of cases) {
      const { calls, target } = fakeConference();
      runCommand(target, name, args);
      assert.deepEqual(calls, expected, `${name}(${JSON.stringify(args)})`);
    }
  });

  test('a refused command does nothing and is named in a warning that says why', () => {
    const refused = Object.entries(COMMANDS).filter(([, e]) => e.status === 'refused');
    assert.ok(refused.length > 20);
    for (const [name, entry] of refused) {
      const { calls, target } = fakeConference();
      const warnings: string[] = [];
      runCommand(target, name, ['x'], (w) => warnings.push(w));
      assert.deepEqual(calls, []);
      assert.deepEqual(warnings, [`confab: embed command '${name}' is not supported: ${entry.note}`]);
    }
  });

  test('an unknown command (or an object property name) is named too, never run', () => {
    for (const name of ['doSomethingElse', 'toString', '__proto__']) {
      const { calls, target } = fakeConference();
      const warnings: string[] = [];
      runCommand(target, name, [], (w) => warnings.push(w));
      assert.deepEqual(calls, []);
      assert.deepEqual(warnings, [`confab: embed command '${name}' is not part of Jitsi's API as Confab knows it: ignored`]);
    }
  });
});
