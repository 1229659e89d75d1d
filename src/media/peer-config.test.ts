import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serverPeerConfigs, type MediaNetworkSettings } from './peer-config.js';

const TRANSPORT_CC_URI = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';
const net: MediaNetworkSettings = { advertiseIps: ['127.0.0.1'], bindAddress: undefined, portRange: undefined, srtp: 'js' };

/** Per kind: does the config carry the transport-wide sequence number extension, and does each codec but RTX ask for transport-cc feedback? */
function transportCc(config: ReturnType<typeof serverPeerConfigs>['publish']) {
  return (['audio', 'video'] as const).map((kind) => ({
    kind,
    extension: (config.headerExtensions?.[kind] ?? []).some((e) => e.uri === TRANSPORT_CC_URI),
    feedback: (config.codecs?.[kind] ?? []).filter((c) => c.name.toLowerCase() !== 'rtx').map((c) => c.rtcpFeedback.some((f) => f.type === 'transport-cc')),
  }));
}

test('transport-cc is negotiated where browsers send (publish), not where we send (subscribe); MEDIA_TRANSPORT_CC=0 leaves it out', () => {
  const on = serverPeerConfigs(net);
  assert.deepEqual(transportCc(on.publish), [
    { kind: 'audio', extension: true, feedback: [true] },
    { kind: 'video', extension: true, feedback: [true, true] },
  ]);
  const none = [
    { kind: 'audio', extension: false, feedback: [false] },
    { kind: 'video', extension: false, feedback: [false, false] },
  ];
  assert.deepEqual(transportCc(on.subscribe), none);
  const off = serverPeerConfigs({ ...net, transportCc: false });
  assert.deepEqual(transportCc(off.publish), none);
  assert.deepEqual(transportCc(off.subscribe), none);
});

test('the two roles do not share extension objects (werift numbers the ones it is given)', () => {
  const { publish, subscribe } = serverPeerConfigs(net);
  const mid = (c: typeof publish) => c.headerExtensions!.video!.find((e) => e.uri === 'urn:ietf:params:rtp-hdrext:sdes:mid');
  assert.notEqual(mid(publish), mid(subscribe));
});
