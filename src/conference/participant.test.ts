import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Participant, type LeaveReason } from './participant.js';
import { PublishedTrack } from './track.js';

/** Records every participant event as a short string, in order. */
function record(p: Participant): string[] {
  const log: string[] = [];
  p.on('updated', (who) => log.push(`updated:${who.id}`));
  p.on('trackPublished', (t) => log.push(`published:${t.id}`));
  p.on('trackUpdated', (t) => log.push(`trackUpdated:${t.id}:${t.muted ? 'muted' : 'live'}`));
  p.on('trackUnpublished', (t) => log.push(`unpublished:${t.id}`));
  p.on('closed', (reason: LeaveReason) => log.push(`closed:${reason}`));
  return log;
}

/** A participant with a microphone, a camera and a screen share. */
function withAllTracks(options: { audioMuted?: boolean; videoMuted?: boolean } = {}): Participant {
  const p = new Participant('p1', { displayName: 'Ada', ...options });
  p.publishTrack('mic', 'audio', 'microphone');
  p.publishTrack('cam', 'video', 'camera');
  p.publishTrack('screen', 'video', 'screen');
  return p;
}

const mutedState = (p: Participant) => Object.fromEntries([...p.tracks.values()].map((t) => [t.id, t.muted]));

describe('PublishedTrack', () => {
  test('keeps its identity and starts unmuted', () => {
    const t = new PublishedTrack('t1', 'p1', 'video', 'camera');
    assert.deepEqual({ ...t }, { id: 't1', participantId: 'p1', kind: 'video', source: 'camera', muted: false });
  });
});

describe('Participant', () => {
  test('defaults: role participant, unmuted, no tracks', () => {
    const p = new Participant('p1', { displayName: 'Ada' });
    assert.equal(p.role, 'participant');
    assert.equal(p.audioMuted, false);
    assert.equal(p.videoMuted, false);
    assert.equal(p.closed, false);
    assert.equal(p.tracks.size, 0);
  });

  test("keeps a token's user identity and features, frozen, out of info()", () => {
    const p = new Participant('p1', {
      displayName: 'Ada',
      user: { id: 'u1', email: 'ada@example.com', avatar: undefined },
      features: { recording: true },
    });
    assert.deepEqual(p.user, { id: 'u1', email: 'ada@example.com', avatar: undefined });
    assert.deepEqual(p.features, { recording: true });
    assert.ok(Object.isFrozen(p.user) && Object.isFrozen(p.features));
    assert.equal('user' in p.info() || 'features' in p.info(), false);
    const plain = new Participant('p2', { displayName: 'Bob' });
    assert.equal(plain.user, undefined);
    assert.deepEqual(plain.features, {});
  });

  test('info() reports identity, role and mute state', () => {
    const before = Date.now();
    const p = new Participant('p1', { displayName: 'Ada', role: 'moderator', audioMuted: true });
    const info = p.info();
    assert.ok(info.joinedAt >= before && info.joinedAt <= Date.now());
    assert.deepEqual(info, {
      id: 'p1',
      displayName: 'Ada',
      role: 'moderator',
      audioMuted: true,
      videoMuted: false,
      audioLocked: false,
      videoLocked: false,
      handRaisedAt: null,
      joinedAt: info.joinedAt,
      connectionInterrupted: false,
      blockable: false,
    });
  });

  test("info() carries the token's avatar only as an http(s) URL, and blockable with an identity", () => {
    const user = (avatar: string) => ({ id: 'u1', email: undefined, avatar });
    const p = new Participant('p1', { displayName: 'Ada', user: user('https://example.com/ada.png'), identityKey: 'k' });
    assert.equal(p.info().avatarUrl, 'https://example.com/ada.png');
    assert.equal(p.info().blockable, true);
    for (const bad of ['javascript:alert(1)', 'data:image/png;base64,AAAA', 'not a url', `https://x.example/${'a'.repeat(2100)}`]) {
      assert.equal('avatarUrl' in new Participant('p2', { displayName: 'B', user: user(bad) }).info(), false, bad);
    }
  });

  test('connection interrupted and back: updated each time, once', () => {
    const p = new Participant('p1', { displayName: 'Ada' });
    const seen: boolean[] = [];
    p.on('updated', (x) => seen.push(x.connectionInterrupted));
    p.setConnectionInterrupted(true);
    p.setConnectionInterrupted(true);
    p.setConnectionInterrupted(false);
    assert.deepEqual(seen, [true, false]);
    assert.equal(p.info().connectionInterrupted, false);
  });

  describe('publishTrack', () => {
    test('adds the track, owned by the participant, and emits trackPublished', () => {
      const p = new Participant('p1', { displayName: 'Ada' });
      const log = record(p);
      const t = p.publishTrack('cam', 'video', 'camera');
      assert.equal(t.participantId, 'p1');
      assert.equal(p.tracks.get('cam'), t);
      assert.deepEqual(log, ['published:cam']);
    });

    test('publishing the same id again returns the existing track without an event', () => {
      const p = new Participant('p1', { displayName: 'Ada' });
      const first = p.publishTrack('cam', 'video', 'camera');
      const log = record(p);
      assert.equal(p.publishTrack('cam', 'video', 'camera'), first);
      assert.equal(p.tracks.size, 1);
      assert.deepEqual(log, []);
    });

    test('new tracks take the current mute state by source', () => {
      const p = withAllTracks({ audioMuted: true, videoMuted: true });
      assert.deepEqual(mutedState(p), { mic: true, cam: true, screen: false });
    });

    test('throws once the participant is closed', () => {
      const p = new Participant('p1', { displayName: 'Ada' });
      p.close();
      assert.throws(() => p.publishTrack('cam', 'video', 'camera'), { message: 'participant p1 is closed' });
    });
  });

  describe('unpublishTrack', () => {
    test('removes the track and emits trackUnpublished', () => {
      const p = withAllTracks();
      const log = record(p);
      p.unpublishTrack('cam');
      assert.deepEqual([...p.tracks.keys()], ['mic', 'screen']);
      assert.deepEqual(log, ['unpublished:cam']);
    });

    test('an unknown id is ignored', () => {
      const p = withAllTracks();
      const log = record(p);
      p.unpublishTrack('nope');
      assert.equal(p.tracks.size, 3);
      assert.deepEqual(log, []);
    });
  });

  describe('setMuted', () => {
    test('audio mutes the microphone only, then emits updated', () => {
      const p = withAllTracks();
      const log = record(p);
      p.setMuted('audio', true);
      assert.equal(p.audioMuted, true);
      assert.equal(p.videoMuted, false);
      assert.deepEqual(mutedState(p), { mic: true, cam: false, screen: false });
      assert.deepEqual(log, ['trackUpdated:mic:muted', 'updated:p1']);
    });

    test('video mutes the camera but not the screen share', () => {
      const p = withAllTracks();
      const log = record(p);
      p.setMuted('video', true);
      assert.deepEqual(mutedState(p), { mic: false, cam: true, screen: false });
      assert.deepEqual(log, ['trackUpdated:cam:muted', 'updated:p1']);
    });

    test('unmuting restores the track', () => {
      const p = withAllTracks({ videoMuted: true });
      const log = record(p);
      p.setMuted('video', false);
      assert.deepEqual(mutedState(p), { mic: false, cam: false, screen: false });
      assert.deepEqual(log, ['trackUpdated:cam:live', 'updated:p1']);
    });

    test('setting the current state emits nothing', () => {
      const p = withAllTracks({ audioMuted: true });
      const log = record(p);
      p.setMuted('audio', true);
      p.setMuted('video', false);
      assert.deepEqual(log, []);
    });

    test('without tracks it still updates the participant', () => {
      const p = new Participant('p1', { displayName: 'Ada' });
      const log = record(p);
      p.setMuted('audio', true);
      assert.equal(p.info().audioMuted, true);
      assert.deepEqual(log, ['updated:p1']);
    });

    test('is ignored after close', () => {
      const p = new Participant('p1', { displayName: 'Ada' });
      p.close();
      p.setMuted('audio', true);
      assert.equal(p.audioMuted, false);
    });
  });

  describe('setDisplayName', () => {
    test('changes the name and emits updated', () => {
      const p = new Participant('p1', { displayName: 'Ada' });
      const log = record(p);
      p.setDisplayName('Ada L.');
      assert.equal(p.info().displayName, 'Ada L.');
      assert.deepEqual(log, ['updated:p1']);
    });

    test('the same name, or a closed participant, emits nothing', () => {
      const p = new Participant('p1', { displayName: 'Ada' });
      const log = record(p);
      p.setDisplayName('Ada');
      assert.deepEqual(log, []);
      p.close();
      p.setDisplayName('Other');
      assert.equal(p.displayName, 'Ada');
    });
  });

  describe('close', () => {
    test('unpublishes every track, then emits closed with the reason', () => {
      const p = withAllTracks();
      const log = record(p);
      p.close('disconnected');
      assert.equal(p.closed, true);
      assert.equal(p.tracks.size, 0);
      assert.deepEqual(log, ['unpublished:mic', 'unpublished:cam', 'unpublished:screen', 'closed:disconnected']);
    });

    test("the reason defaults to 'left'", () => {
      const p = new Participant('p1', { displayName: 'Ada' });
      const log = record(p);
      p.close();
      assert.deepEqual(log, ['closed:left']);
    });

    test('is idempotent and drops all listeners', () => {
      const p = withAllTracks();
      record(p);
      p.close('removed');
      assert.equal(p.listenerCount('closed'), 0);
      assert.equal(p.listenerCount('trackUnpublished'), 0);
      const again: LeaveReason[] = [];
      p.on('closed', (reason) => again.push(reason));
      p.close('left');
      assert.deepEqual(again, []);
      assert.equal(p.closed, true);
    });
  });
});
