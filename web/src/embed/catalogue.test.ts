import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { COMMANDS, entryOf, EVENTS, FUNCTIONS, LINK_OPTIONS, OFF_ONLY, refusal } from './catalogue.js';
import { withCatalogueTables } from './catalogue-docs.js';

describe('the embed catalogue', () => {
  test('docs/running-a-class.md has the tables the catalogue generates (else: npm run docs:embed)', () => {
    const docs = readFileSync(new URL('../../../docs/running-a-class.md', import.meta.url), 'utf8');
    assert.equal(docs, withCatalogueTables(docs), 'docs/running-a-class.md is out of date: run `npm run docs:embed`');
  });

  test("it covers Jitsi's documented API: the class platforms' commands, events and functions are all there", () => {
    for (const name of ['answerKnockingParticipant', 'toggleLobby', 'startRecording', 'toggleRaiseHand', 'toggleTileView', 'setTileView', 'pinParticipant', 'subject', 'password', 'displayName', 'avatarUrl', 'kickParticipant']) {
      assert.ok(entryOf('command', name), name);
    }
    for (const name of ['knockingParticipant', 'recordingStatusChanged', 'raiseHandUpdated', 'tileViewChanged', 'subjectChange', 'passwordRequired', 'displayNameChange', 'avatarChanged', 'videoConferenceJoined']) {
      assert.ok(entryOf('event', name), name);
    }
    for (const name of ['startRecording', 'pinParticipant', 'getParticipantsInfo', 'isAudioMuted', 'getRoomsInfo']) assert.ok(entryOf('function', name), name);
    assert.ok(Object.keys(COMMANDS).length >= 60 && Object.keys(EVENTS).length >= 50 && Object.keys(FUNCTIONS).length >= 45);
  });

  test('every entry says what Confab does or why not; OFF_ONLY options are supported ones', () => {
    for (const table of [COMMANDS, EVENTS, FUNCTIONS, LINK_OPTIONS]) {
      for (const [name, entry] of Object.entries(table)) assert.ok(entry.note.length >= 3 && !entry.note.endsWith('.'), name);
    }
    for (const key of Object.keys(OFF_ONLY)) assert.equal(LINK_OPTIONS[key as keyof typeof LINK_OPTIONS].status, 'supported', key);
  });

  test('refusal messages name the thing and the reason', () => {
    assert.equal(refusal('event', 'recordingStatusChanged'), `confab: embed event 'recordingStatusChanged' is never sent: ${EVENTS.recordingStatusChanged.note}`);
    assert.equal(refusal('function', 'getAvailableDevices'), `confab: embed function 'getAvailableDevices' is not supported: ${FUNCTIONS.getAvailableDevices.note}`);
    assert.equal(refusal('command', 'x'.repeat(100)), `confab: embed command '${'x'.repeat(80)}…' is not part of Jitsi's API as Confab knows it: ignored`);
    assert.equal(entryOf('command', 'constructor'), undefined);
  });
});
