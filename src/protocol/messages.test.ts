import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_MESSAGE_BYTES,
  PROTOCOL_VERSION,
  parseClientMessage,
  parseServerMessage,
  type ParseResult,
} from './messages.js';

const json = (value: unknown) => JSON.stringify(value);

/** The parsed message, failing the test if parsing did not succeed. */
function ok<T>(result: ParseResult<T>): T {
  assert.ok(result.ok, `expected success, got: ${result.ok ? '' : result.error}`);
  return result.message;
}

/** The error text, failing the test if parsing succeeded. */
function failed<T>(result: ParseResult<T>): string {
  assert.equal(result.ok, false);
  return result.ok ? '' : result.error;
}

const hello = { type: 'hello', protocolVersion: PROTOCOL_VERSION, room: 'maths-101', displayName: 'Ada' };
const participant = {
  id: 'p1',
  displayName: 'Ada',
  role: 'moderator',
  audioMuted: false,
  videoMuted: true,
  audioLocked: false,
  videoLocked: false,
  handRaisedAt: null,
  joinedAt: 1700000000000,
  connectionInterrupted: false,
  blockable: false,
};

describe('protocol constants', () => {
  test('version and size limit', () => {
    assert.equal(PROTOCOL_VERSION, 1);
    assert.equal(MAX_MESSAGE_BYTES, 262_144);
  });
});

describe('parseClientMessage', () => {
  describe('accepts', () => {
    test('hello, filling in unmuted defaults', () => {
      assert.deepEqual(ok(parseClientMessage(json(hello))), { ...hello, audioMuted: false, videoMuted: false });
    });

    test('hello with every field', () => {
      const resume = { participantId: 'p1', secret: 's'.repeat(32), received: 12 };
      const full = { ...hello, tenant: 'school', token: 'jwt', rejoinTicket: 'ticket', audioMuted: true, videoMuted: true, resume };
      assert.deepEqual(ok(parseClientMessage(json(full))), full);
    });

    test('hello asking to resume needs the participant, a real secret and a whole count', () => {
      const resume = { participantId: 'p1', secret: 's'.repeat(32), received: 0 };
      assert.match(failed(parseClientMessage(json({ ...hello, resume: { ...resume, secret: 'short' } }))), /^invalid 'hello' message at resume\.secret: /);
      assert.match(failed(parseClientMessage(json({ ...hello, resume: { ...resume, received: -1 } }))), /^invalid 'hello' message at resume\.received: /);
      assert.match(failed(parseClientMessage(json({ ...hello, resume: { ...resume, received: 1.5 } }))), /^invalid 'hello' message at resume\.received: /);
      assert.match(failed(parseClientMessage(json({ ...hello, resume: { secret: resume.secret, received: 0 } }))), /^invalid 'hello' message at resume\.participantId: /);
    });

    test('participant info from an older server defaults connectionInterrupted to false', () => {
      const { connectionInterrupted: _, ...older } = participant;
      const parsed = ok(parseServerMessage(json({ type: 'participant-joined', participant: older })));
      assert.equal(parsed.type === 'participant-joined' && parsed.participant.connectionInterrupted, false);
    });

    test('hello trims the display name', () => {
      const message = ok(parseClientMessage(json({ ...hello, displayName: '  Ada  ' })));
      assert.equal(message.type === 'hello' && message.displayName, 'Ada');
    });

    test('every other client message type', () => {
      const messages = [
        { type: 'publish-offer', sdp: 'v=0', sources: { '0': 'microphone', '1': 'camera', '2': 'screen' } },
        { type: 'subscribe-answer', sdp: 'v=0' },
        { type: 'ice-candidate', pc: 'publish', candidate: { candidate: 'candidate:1 1 udp 1 1.2.3.4 5 typ host' } },
        {
          type: 'ice-candidate',
          pc: 'subscribe',
          candidate: { candidate: '', sdpMid: null, sdpMLineIndex: null, usernameFragment: null },
        },
        { type: 'set-muted', kind: 'video', muted: true },
        { type: 'set-display-name', displayName: 'Ada L.' },
        { type: 'leave' },
        { type: 'ping' },
        { type: 'ping', nonce: 7 },
        { type: 'client-report', code: 'devices_unavailable', detail: 'NotAllowedError' },
      ];
      for (const message of messages) assert.deepEqual(ok(parseClientMessage(json(message))), message);
    });

    test('unknown extra fields are dropped', () => {
      assert.deepEqual(ok(parseClientMessage(json({ type: 'leave', extra: 1 }))), { type: 'leave' });
    });
  });

  describe('rejects', () => {
    test('malformed JSON', () => {
      for (const raw of ['', '{', '{"type":"leave"', 'leave', "{'type':'leave'}"]) {
        const result = parseClientMessage(raw);
        assert.deepEqual(result, { ok: false, error: 'message is not valid JSON' }, raw);
      }
    });

    test('JSON that is not an object', () => {
      assert.equal(
        failed(parseClientMessage('42')),
        "invalid '?' message at message: Invalid input: expected object, received number",
      );
      assert.match(failed(parseClientMessage('null')), /^invalid '\?' message at message: /);
      assert.match(failed(parseClientMessage('[]')), /^invalid '\?' message at message: /);
    });

    test('an unknown type, naming it', () => {
      assert.match(failed(parseClientMessage(json({ type: 'kick' }))), /^invalid 'kick' message at type: /);
    });

    test('a missing type', () => {
      assert.match(failed(parseClientMessage(json({ room: 'x' }))), /^invalid '\?' message at type: /);
    });

    test('a server message sent by a client', () => {
      assert.match(failed(parseClientMessage(json({ type: 'pong' }))), /^invalid 'pong' message at type: /);
    });

    test('a missing field, naming it', () => {
      const { protocolVersion: _, ...noVersion } = hello;
      assert.equal(
        failed(parseClientMessage(json(noVersion))),
        "invalid 'hello' message at protocolVersion: Invalid input: expected number, received undefined",
      );
      assert.match(failed(parseClientMessage(json({ type: 'set-muted', kind: 'audio' }))), /^invalid 'set-muted' message at muted: /);
    });

    test('a missing nested field, naming its path', () => {
      const raw = json({ type: 'ice-candidate', pc: 'publish', candidate: {} });
      assert.equal(
        failed(parseClientMessage(raw)),
        "invalid 'ice-candidate' message at candidate.candidate: Invalid input: expected string, received undefined",
      );
    });

    test('a bad value inside a record, naming the key', () => {
      const raw = json({ type: 'publish-offer', sdp: 'v=0', sources: { '0': 'webcam' } });
      assert.match(failed(parseClientMessage(raw)), /^invalid 'publish-offer' message at sources\.0: /);
    });

    test('wrong types and out-of-range values', () => {
      const cases: [unknown, string][] = [
        [{ ...hello, protocolVersion: 1.5 }, 'protocolVersion'],
        [{ ...hello, audioMuted: 'yes' }, 'audioMuted'],
        [{ ...hello, displayName: 'x'.repeat(1025) }, 'displayName'],
        [{ type: 'publish-offer', sdp: 'v=0', sources: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [String(i), 'camera'])) }, 'sources'],
        [{ ...hello, room: 'r'.repeat(201) }, 'room'],
        [{ type: 'subscribe-answer', sdp: '' }, 'sdp'],
        [{ type: 'set-muted', kind: 'screen', muted: true }, 'kind'],
        [{ type: 'ice-candidate', pc: 'both', candidate: { candidate: '' } }, 'pc'],
        [{ type: 'ice-candidate', pc: 'publish', candidate: { candidate: '', sdpMLineIndex: -1 } }, 'candidate.sdpMLineIndex'],
        [{ type: 'client-report', code: 'c'.repeat(65) }, 'code'],
      ];
      for (const [message, path] of cases) {
        const type = (message as { type: string }).type;
        assert.ok(failed(parseClientMessage(json(message))).startsWith(`invalid '${type}' message at ${path}: `), path);
      }
    });

    test('a message over the size limit, flagged tooLarge before parsing', () => {
      const raw = 'x'.repeat(MAX_MESSAGE_BYTES + 1);
      assert.deepEqual(parseClientMessage(raw), {
        ok: false,
        tooLarge: true,
        error: `message of ${MAX_MESSAGE_BYTES + 1} bytes exceeds ${MAX_MESSAGE_BYTES}`,
      });
    });

    test('the size limit counts UTF-8 bytes, not characters', () => {
      // 100 000 'é' are 100 000 characters but 200 000 bytes of UTF-8.
      const name = 'é'.repeat(100_000);
      const raw = json({ type: 'client-report', code: 'x', detail: name + name });
      const result = parseClientMessage(raw);
      assert.equal(result.ok, false);
      assert.equal(!result.ok && result.tooLarge, true);
      assert.equal(!result.ok && result.error, `message of ${Buffer.byteLength(raw)} bytes exceeds ${MAX_MESSAGE_BYTES}`);
    });
  });

  test('a message exactly at the size limit is parsed, not refused as too large', () => {
    const padding = ' '.repeat(MAX_MESSAGE_BYTES - json({ type: 'leave' }).length);
    const raw = json({ type: 'leave' }) + padding;
    assert.equal(Buffer.byteLength(raw), MAX_MESSAGE_BYTES);
    assert.deepEqual(parseClientMessage(raw), { ok: true, message: { type: 'leave' } });
  });

  test('rejected messages have no tooLarge flag', () => {
    assert.equal('tooLarge' in parseClientMessage('{'), false);
    assert.equal('tooLarge' in parseClientMessage(json({ type: 'kick' })), false);
  });
});

describe('parseServerMessage', () => {
  test('accepts every server message type', () => {
    const messages = [
      {
        type: 'welcome',
        protocolVersion: 1,
        participantId: 'p1',
        room: 'maths-101',
        tenant: 'school',
        self: participant,
        participants: [{ ...participant, id: 'p2', role: 'participant' }],
        iceServers: [{ urls: 'stun:stun.example.org' }, { urls: ['turn:a', 'turns:b'], username: 'u', credential: 'c' }],
        serverVersion: '0.1.0',
        rejoinTicket: 'opaque-ticket',
        resumeSecret: 'resume-secret-of-32-characters-x',
      },
      { type: 'resumed', participantId: 'p1', received: 3 },
      { type: 'publish-answer', sdp: 'v=0' },
      {
        type: 'subscribe-offer',
        sdp: 'v=0',
        tracks: [{ mid: '0', participantId: 'p2', trackId: 't1', kind: 'audio', source: 'microphone' }],
      },
      { type: 'participant-joined', participant },
      { type: 'participant-updated', participant },
      { type: 'participant-updated', participant: { ...participant, connectionInterrupted: true } },
      { type: 'participant-left', participantId: 'p2', reason: 'disconnected' },
      { type: 'pong', nonce: 7 },
      { type: 'error', code: 'room_full', message: 'This room is full.', fatal: true },
    ];
    for (const message of messages) assert.deepEqual(ok(parseServerMessage(json(message))), message);
  });

  test('rejects a client message', () => {
    assert.match(failed(parseServerMessage(json(hello))), /^invalid 'hello' message at type: /);
  });

  test('rejects an unknown leave reason, naming the field', () => {
    const raw = json({ type: 'participant-left', participantId: 'p2', reason: 'kicked' });
    assert.match(failed(parseServerMessage(raw)), /^invalid 'participant-left' message at reason: /);
  });

  test('names the path of a bad nested participant field', () => {
    const raw = json({ type: 'participant-joined', participant: { ...participant, role: 'admin' } });
    assert.match(failed(parseServerMessage(raw)), /^invalid 'participant-joined' message at participant\.role: /);
  });

  test('names the index of a bad array entry', () => {
    const raw = json({ type: 'subscribe-offer', sdp: 'v=0', tracks: [{ mid: '0', participantId: 'p2', trackId: 't1', kind: 'data', source: 'camera' }] });
    assert.match(failed(parseServerMessage(raw)), /^invalid 'subscribe-offer' message at tracks\.0\.kind: /);
  });

  test('rejects malformed JSON and oversized messages like the client parser', () => {
    assert.deepEqual(parseServerMessage('{"type":'), { ok: false, error: 'message is not valid JSON' });
    const big = parseServerMessage('x'.repeat(MAX_MESSAGE_BYTES + 1));
    assert.equal(!big.ok && big.tooLarge, true);
  });
});
