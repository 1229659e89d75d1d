import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConferenceEvents } from './conference-types.js';
import { Emitter } from './events.js';
import { largeVideoFor, PageLayout, type LargeVideo, type StageInput } from './layout.js';
import type { ConferenceView } from './ui/conference-view.js';

const track = (name: string) => ({ id: name }) as unknown as MediaStreamTrack;
const people = new Map([
  ['me', { displayName: 'Ada', joinedAt: 1 }],
  ['bob', { displayName: 'Bob', joinedAt: 2 }],
  ['cy', { displayName: 'Cy', joinedAt: 3 }],
]);
const input = (extra: Partial<StageInput> = {}): StageInput => ({
  remote: [
    { info: { participantId: 'bob', source: 'camera' }, track: track('bob-cam') },
    { info: { participantId: 'cy', source: 'camera' }, track: track('cy-cam') },
  ],
  ownCamera: track('me-cam'),
  ownShare: undefined,
  selfId: 'me',
  participants: people,
  ...extra,
});
const shown = (v: LargeVideo | undefined): string | undefined => v && `${v.participantId}/${v.source}/${(v.track as unknown as { id: string } | undefined)?.id ?? '-'}: ${v.label}`;
const withShare = (id: string) => input({ remote: [...input().remote, { info: { participantId: id, source: 'screen' }, track: track(`${id}-screen`) }] });

describe('largeVideoFor', () => {
  test('tile view: nothing large unless someone shares a screen (ours first)', () => {
    assert.equal(largeVideoFor({ tileView: true, pinned: undefined }, input()), undefined);
    assert.equal(shown(largeVideoFor({ tileView: true, pinned: undefined }, withShare('cy'))), 'cy/screen/cy-screen: Cy is presenting');
    assert.equal(shown(largeVideoFor({ tileView: true, pinned: undefined }, { ...withShare('cy'), ownShare: track('me-screen') })), 'me/screen/me-screen: You are presenting');
  });

  test('stage view: the first other participant large; alone, ourselves', () => {
    assert.equal(shown(largeVideoFor({ tileView: false, pinned: undefined }, input())), 'bob/camera/bob-cam: Bob');
    assert.equal(shown(largeVideoFor({ tileView: false, pinned: undefined }, input({ remote: [], participants: new Map([['me', { displayName: 'Ada', joinedAt: 1 }]]) }))), 'me/camera/me-cam: You');
  });

  test('a pin wins over a share; a pinned screen that is not shared falls back to the camera; camera off is said', () => {
    assert.equal(shown(largeVideoFor({ tileView: false, pinned: { id: 'cy', source: 'camera' } }, withShare('bob'))), 'cy/camera/cy-cam: Cy');
    assert.equal(shown(largeVideoFor({ tileView: false, pinned: { id: 'bob', source: 'screen' } }, withShare('bob'))), 'bob/screen/bob-screen: Bob is presenting');
    assert.equal(shown(largeVideoFor({ tileView: false, pinned: { id: 'cy', source: 'screen' } }, input())), 'cy/camera/cy-cam: Cy');
    assert.equal(shown(largeVideoFor({ tileView: false, pinned: { id: 'cy', source: 'camera' } }, input({ remote: [] }))), 'cy/camera/-: Cy (camera off)');
  });

  test('a pinned participant who is gone is ignored', () => {
    assert.equal(largeVideoFor({ tileView: true, pinned: { id: 'gone', source: 'camera' } }, input()), undefined);
  });
});

describe('PageLayout', () => {
  function layout(options = { disableTileView: false }) {
    const events = new Emitter<ConferenceEvents>();
    const seen: string[] = [];
    for (const name of ['tileViewChanged', 'largeVideoChanged', 'filmstripDisplayChanged'] as const) events.on(name, (d) => seen.push(`${name} ${JSON.stringify(d)}`));
    const view = { shown: undefined as LargeVideo | undefined, filmstrip: true, setPresentation(v: LargeVideo | undefined) { this.shown = v; }, setFilmstripVisible(v: boolean) { this.filmstrip = v; } };
    let l: PageLayout;
    const refresh = (): void => l.apply(input());
    l = new PageLayout(view as unknown as ConferenceView, events, options, refresh);
    return { l, view, seen };
  }

  test('pin leaves tile view and shows them large; setTileView(true) unpins; each change told once', () => {
    const { l, view, seen } = layout();
    l.apply(input());
    l.pin('cy');
    assert.equal(view.shown?.participantId, 'cy');
    l.pin('cy');
    l.setTileView(true);
    assert.equal(view.shown, undefined);
    assert.deepEqual(seen, ['tileViewChanged {"enabled":false}', 'largeVideoChanged {"id":"cy"}', 'tileViewChanged {"enabled":true}', 'largeVideoChanged {"id":""}']);
  });

  test('config.disableTileView: stage view from the start, and tile view cannot be turned on', () => {
    const { l, view, seen } = layout({ disableTileView: true });
    l.apply(input());
    assert.equal(view.shown?.participantId, 'bob');
    l.setTileView(true);
    assert.equal(l.tileView, false);
    assert.deepEqual(seen, ['largeVideoChanged {"id":"bob"}']);
  });

  test('a pinned participant who leaves is forgotten; the film strip toggles', () => {
    const { l, view, seen } = layout();
    l.pin('bob');
    l.forget('bob');
    assert.equal(view.shown?.participantId, 'bob', 'stage view stays, now with the automatic choice');
    l.toggleFilmStrip();
    assert.equal(view.filmstrip, false);
    l.toggleFilmStrip(false);
    assert.equal(seen.filter((s) => s.startsWith('filmstrip')).length, 1);
  });
});
