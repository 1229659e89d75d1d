import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LINK_OPTIONS, OFF_ONLY, supportedNames } from './embed/catalogue.js';
import { joinOptionsFromHash, parseHashParams, type JoinOptions } from './hash-options.js';

const DEFAULTS = joinOptionsFromHash('');

/** What the options become for a hash, compared with the defaults (only what changed). */
function changed(hash: string): Partial<JoinOptions> {
  const options = joinOptionsFromHash(hash);
  return Object.fromEntries(Object.entries(options).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(DEFAULTS[k as keyof JoinOptions]))) as Partial<JoinOptions>;
}

/** Every supported link option: a hash using it, and what the page does with it. */
const CASES: Record<string, [hash: string, expected: Partial<JoinOptions>]> = {
  'config.prejoinConfig.enabled': ['config.prejoinConfig.enabled=false', { skipPrejoin: true }],
  'config.prejoinPageEnabled': ['config.prejoinPageEnabled=false', { skipPrejoin: true }],
  'config.requireDisplayName': ['config.requireDisplayName=true', { requireDisplayName: true }],
  'config.readOnlyName': ['config.readOnlyName=true', { readOnlyName: true }],
  'userInfo.displayName': ['userInfo.displayName=%22Ada%20L.%22', { displayName: 'Ada L.' }],
  'config.startWithAudioMuted': ['config.startWithAudioMuted=true', { startWithAudioMuted: true }],
  'config.startWithVideoMuted': ['config.startWithVideoMuted=true', { startWithVideoMuted: true }],
  'config.startAudioMuted': ['config.startAudioMuted=10', { startAudioMutedAfter: 10 }],
  'config.startVideoMuted': ['config.startVideoMuted=true', { startWithVideoMuted: true }],
  'config.startSilent': ['config.startSilent=true', { startSilent: true, startWithAudioMuted: true }],
  'config.resolution': ['config.resolution=720', { resolution: 720 }],
  'config.channelLastN': ['config.channelLastN=1', { channelLastN: 1 }],
  'config.videoQuality.preferredCodec': ['config.videoQuality.preferredCodec=%22h264%22', { preferredCodec: 'H264' }],
  'config.subject': ['config.subject=%22Fractions%22', { subject: 'Fractions' }],
  'config.localSubject': ['config.localSubject=%22Room%2012%22', { localSubject: 'Room 12' }],
  'config.hideConferenceSubject': ['config.hideConferenceSubject=true', { hideSubject: true }],
  'config.disableTileView': ['config.disableTileView=true', { disableTileView: true }],
  'config.disableSelfView': ['config.disableSelfView=true', { disableSelfView: true }],
  'config.toolbarButtons': ['config.toolbarButtons=%5B%22microphone%22%2C%22chat%22%5D', { toolbarButtons: ['microphone', 'chat'] }],
  'interfaceConfig.TOOLBAR_BUTTONS': ['interfaceConfig.TOOLBAR_BUTTONS=["hangup"]', { toolbarButtons: ['hangup'] }],
  'interfaceConfig.APP_NAME': ['interfaceConfig.APP_NAME=%22School%20Meet%22', { appName: 'School Meet' }],
};

describe('link options (hash)', () => {
  test('every supported option that changes the page has a case here; the others are OFF_ONLY (nothing to do)', () => {
    const offOnly = Object.keys(OFF_ONLY);
    assert.deepEqual([...Object.keys(CASES), ...offOnly].sort(), supportedNames('link option').sort());
  });

  for (const [name, [hash, expected]] of Object.entries(CASES)) {
    test(name, () => {
      assert.deepEqual(changed(`#${hash}`), expected);
    });
  }

  test('OFF_ONLY options with the value that says what Confab does are silent; another value is refused, named', () => {
    for (const [key, value] of Object.entries(OFF_ONLY)) {
      assert.deepEqual(changed(`#${key}=${String(value)}`), {}, key);
      assert.deepEqual(joinOptionsFromHash(`#${key}=${String(!value)}`).refused, [
        `confab: link option '${key}' is supported only as ${String(value)} (got ${String(!value)}): ${LINK_OPTIONS[key as keyof typeof LINK_OPTIONS].note}`,
      ]);
    }
  });

  test('start-muted forms: numbers as JSON or text, booleans, and startSilent', () => {
    assert.deepEqual(changed('#config.startAudioMuted=0'), { startAudioMutedAfter: 0 });
    assert.deepEqual(changed('#config.startVideoMuted=%223%22'), { startVideoMutedAfter: 3 });
    assert.deepEqual(changed('#config.startAudioMuted=true'), { startWithAudioMuted: true });
    assert.deepEqual(changed('#config.startAudioMuted=false&config.startVideoMuted=-1'), {});
    assert.deepEqual(changed('#config.startWithAudioMuted=%22true%22'), { startWithAudioMuted: true });
  });

  test('refused and unknown options are each named in a warning; the embed id is not an option', () => {
    const { refused } = joinOptionsFromHash('#config.defaultLanguage=%22de%22&config.somethingNew=1&userInfo.email=%22a%40b.c%22&confab_embed_id=%22x%22&jwt=abc');
    assert.deepEqual(refused, [
      `confab: link option 'config.defaultLanguage' is not supported (ignored): ${LINK_OPTIONS['config.defaultLanguage'].note}`,
      "confab: link option 'config.somethingNew' is not supported (ignored)",
      `confab: link option 'userInfo.email' is not supported (ignored): ${LINK_OPTIONS['userInfo.email'].note}`,
    ]);
    assert.deepEqual(joinOptionsFromHash('#config.toolbarButtons=["chat","whiteboard"]').refused, [
      "confab: toolbar button 'whiteboard' is not one Confab has (it has microphone, camera, desktop, raisehand, chat, participants-pane, hangup): ignored",
    ]);
  });

  test('bad values fall back: resolution out of range, an unknown codec, an empty name', () => {
    assert.deepEqual(changed('#config.resolution=5000&config.videoQuality.preferredCodec=%22AV1%22&userInfo.displayName=%22%20%22'), {});
    assert.deepEqual(changed('#config.channelLastN=-2'), {}, 'below -1: the server default');
    assert.deepEqual(changed('#config.channelLastN=1.5'), {});
    assert.equal(joinOptionsFromHash('#config.channelLastN=-1').channelLastN, -1, "-1: everyone's video");
  });

  test('parseHashParams: JSON values, raw text, bare keys, bad escapes', () => {
    assert.deepEqual(
      [...parseHashParams('#a=1&b=%22x%22&c=raw&d&e=%E0%A4%A')],
      [
        ['a', 1],
        ['b', 'x'],
        ['c', 'raw'],
        ['d', true],
        ['e', '%E0%A4%A'],
      ],
    );
  });
});
