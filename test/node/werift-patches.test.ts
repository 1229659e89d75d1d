/**
 * What our werift patches (patches/werift+0.24.4.patch, applied by
 * patch-package on install) change, tested on a bare werift peer connection
 * configured as the server's: if the patch stops applying, these fail.
 * (The ICE-lite agent following a new nomination is tested end to end in
 * media-path-switch.test.ts.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ntpTime, RTCPeerConnection, RTCRtpCodecParameters, RTCRtpSender } from 'werift';
import { serverPeerConfig } from '../../src/media/peer-config.js';
import { iceCredentials, IceCheckPeer } from '../support/ice-check.js';

let pc: RTCPeerConnection;
let sdp: string;
let port: number;
let peer: IceCheckPeer;

before(async () => {
  pc = new RTCPeerConnection(serverPeerConfig({ advertiseIps: ['127.0.0.1'], bindAddress: '127.0.0.1', portRange: undefined }));
  pc.addTransceiver('audio', { direction: 'sendonly' });
  await pc.setLocalDescription(await pc.createOffer());
  sdp = pc.localDescription!.sdp;
  port = Number(/^a=candidate:\S+ \d+ udp \d+ 127\.0\.0\.1 (\d+) typ host/m.exec(sdp)![1]);
  peer = await IceCheckPeer.open();
});
after(async () => {
  peer.close();
  await pc.close();
});

describe('werift patches', () => {
  test('ICE credentials carry 64 random bits in the ufrag and 128 in the password (RFC 8445 5.3: >= 24 and >= 128)', () => {
    const { ufrag, password } = iceCredentials(sdp);
    assert.match(ufrag, /^[0-9a-f]{16}$/);
    assert.match(password, /^[0-9a-f]{32}$/);
  });

  test('only a check signed with our password and naming our ufrag is answered', async () => {
    const { ufrag, password } = iceCredentials(sdp);
    const username = `${ufrag}:browser1`;
    const signed = await peer.check('127.0.0.1', port, { username, password, nominate: true });
    assert.ok(signed?.success && signed.signed, 'a signed check gets a signed success');

    assert.equal(await peer.check('127.0.0.1', port, { username, nominate: true }, 300), undefined, 'no MESSAGE-INTEGRITY: dropped');
    assert.equal(await peer.check('127.0.0.1', port, { username, password: 'not-the-password', nominate: true }, 300), undefined, 'wrong MESSAGE-INTEGRITY: dropped');
    assert.equal(await peer.check('127.0.0.1', port, { username: `0000${ufrag.slice(4)}:browser1`, password, nominate: true }, 300), undefined, 'unknown ufrag: dropped');
    assert.equal((await peer.check('127.0.0.1', port, { username: ufrag, password }, 300))?.success, true, 'a USERNAME without the client part still names our ufrag');
  });
});

describe('werift patches: the sender hot path', () => {
  test('NTP time has a binary fraction (RFC 5905 6): within a few ms of the clock', () => {
    const ntp = ntpTime();
    const seconds = Number(ntp >> 32n) + Number(ntp & 0xffff_ffffn) / 2 ** 32;
    const unixMs = (seconds - 2_208_988_800) * 1000;
    assert.ok(Math.abs(unixMs - Date.now()) < 50, `NTP ${ntp.toString(16)} is ${unixMs - Date.now()} ms off`);
  });

  test('a sender writes only its negotiated extensions, in id order, from values prepared once', () => {
    const sender = new RTCRtpSender('video');
    sender.prepareSend({
      muxId: '3',
      headerExtensions: [
        { id: 4, uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time' },
        { id: 1, uri: 'urn:ietf:params:rtp-hdrext:sdes:mid' },
      ],
      codecs: [new RTCRtpCodecParameters({ payloadType: 96, mimeType: 'video/VP8', clockRate: 90000 })],
    } as never);
    const at = Date.now();
    const extensions = sender.buildHeaderExtensions(at);
    assert.deepEqual(extensions.map((e) => e.id), [4, 1]);
    assert.equal(extensions[1]!.payload.toString(), '3');
    // abs-send-time: 6.18 fixed-point NTP seconds, 24 bits.
    const expected = Math.floor((at / 1000 + 2_208_988_800) * 262_144) % 16_777_216;
    assert.equal(extensions[0]!.payload.readUIntBE(0, 3), expected);
    assert.equal(sender.buildHeaderExtensions(at)[1]!.payload, extensions[1]!.payload, 'the mid payload is made once, not per packet');
  });
});
