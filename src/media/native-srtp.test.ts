import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, test } from 'node:test';
import { ProtectionProfileAeadAes128Gcm, ProtectionProfileAes128CmHmacSha1_80, RtpHeader, RtpPacket, SrtcpSession, SrtpAuthenticationError, SrtpSession } from 'werift';
import { nativeSrtpAvailable, nativeSrtpSessions, nativeSrtpUnavailable } from './native-srtp.js';

/** Where libsrtp2-dev is installed (CI), the addon must have been built: these tests may not skip there. */
const expectNative = existsSync('/usr/include/srtp2/srtp.h');

const PROFILES = [
  { name: 'AEAD_AES_128_GCM', id: ProtectionProfileAeadAes128Gcm, keyLength: 16, saltLength: 12 },
  { name: 'AES_CM_128_HMAC_SHA1_80', id: ProtectionProfileAes128CmHmacSha1_80, keyLength: 16, saltLength: 14 },
];

describe('native SRTP (libsrtp) interoperates with werift\'s', { skip: !expectNative && !nativeSrtpAvailable() && `no libsrtp2-dev here: ${nativeSrtpUnavailable}` }, () => {
  test('the addon is built where libsrtp2-dev is installed', () => {
    assert.ok(nativeSrtpAvailable(), `native SRTP unavailable: ${nativeSrtpUnavailable}`);
  });

  for (const profile of PROFILES) {
    test(`${profile.name}: RTP and RTCP both ways, byte for byte; a tampered packet is refused`, () => {
      const a = { key: randomBytes(profile.keyLength), salt: randomBytes(profile.saltLength) };
      const b = { key: randomBytes(profile.keyLength), salt: randomBytes(profile.saltLength) };
      const native = nativeSrtpSessions({ profile: profile.id, keys: { localMasterKey: a.key, localMasterSalt: a.salt, remoteMasterKey: b.key, remoteMasterSalt: b.salt } });
      assert.ok(native);
      const peerConfig = { profile: profile.id, keys: { localMasterKey: b.key, localMasterSalt: b.salt, remoteMasterKey: a.key, remoteMasterSalt: a.salt } };
      const peerRtp = new SrtpSession(peerConfig);
      const peerRtcp = new SrtcpSession(peerConfig);

      for (let seq = 65530; seq < 65540; seq++) {
        const payload = randomBytes(1100);
        const header = new RtpHeader({ payloadType: 96, sequenceNumber: seq & 0xffff, timestamp: seq * 3000, ssrc: 0x1234, marker: seq % 3 === 0 });
        const plain = peerRtp.decrypt(native.srtp.encrypt(payload, header));
        const parsed = RtpPacket.deSerialize(plain);
        assert.deepEqual(parsed.payload, payload, `payload of ${seq} through native -> werift`);
        assert.equal(parsed.header.sequenceNumber, seq & 0xffff);

        const back = RtpPacket.deSerialize(native.srtp.decrypt(Buffer.from(peerRtp.encrypt(payload, new RtpHeader({ payloadType: 111, sequenceNumber: seq & 0xffff, timestamp: seq, ssrc: 0x9999 })))));
        assert.deepEqual(back.payload, payload, `payload of ${seq} through werift -> native`);
      }

      const rtcp = Buffer.from('81c90007000000010000123400ffffff0000000100000000000000000000000000000000', 'hex');
      assert.deepEqual(peerRtcp.decrypt(native.srtcp.encrypt(rtcp)), rtcp, 'RTCP native -> werift');
      assert.deepEqual(native.srtcp.decrypt(Buffer.from(peerRtcp.encrypt(rtcp))), rtcp, 'RTCP werift -> native');

      const tampered = Buffer.from(peerRtp.encrypt(randomBytes(200), new RtpHeader({ payloadType: 111, sequenceNumber: 7, timestamp: 1, ssrc: 0x9999 })));
      tampered[20] = tampered[20]! ^ 0xff;
      assert.throws(() => native.srtp.decrypt(tampered), SrtpAuthenticationError);
    });
  }

  // Media runs in worker threads (issue 14): the addon is loaded once per thread, and libsrtp's
  // process-wide srtp_init() failed the second time, so every worker fell back to werift's SRTP.
  test('the addon loads and encrypts in every thread: the main thread and two media workers', async () => {
    assert.ok(nativeSrtpAvailable(), 'loaded in this thread first');
    const path = fileURLToPath(new URL('../../native/srtp/build/Release/confab_srtp.node', import.meta.url));
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      try {
        const addon = require(workerData);
        const session = addon.createSession(7, Buffer.alloc(16, 1), Buffer.alloc(12, 2), true);
        const packet = Buffer.alloc(12 + 100 + 160);
        packet[0] = 0x80; packet[1] = 96;
        parentPort.postMessage(addon.protectRtp(session, packet, 112));
      } catch (error) { parentPort.postMessage(String(error.message)); }`;
    const results = await Promise.all(
      [0, 1].map(
        () =>
          new Promise<unknown>((resolve, reject) => {
            const worker = new Worker(code, { eval: true, workerData: path });
            worker.once('message', (m) => void worker.terminate().then(() => resolve(m)));
            worker.once('error', reject);
          }),
      ),
    );
    assert.deepEqual(results, [128, 128], 'each worker protected a 112-byte packet (+16 bytes of GCM tag)');
  });

  test('a profile libsrtp is not asked for falls back to werift (undefined)', () => {
    const keys = { localMasterKey: randomBytes(16), localMasterSalt: randomBytes(14), remoteMasterKey: randomBytes(16), remoteMasterSalt: randomBytes(14) };
    assert.equal(nativeSrtpSessions({ profile: 2, keys }), undefined);
  });
});
