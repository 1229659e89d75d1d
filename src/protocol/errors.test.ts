import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { STATUS_CODES } from 'node:http';
import { ConfabError, ERRORS, errorCodeForClose, isErrorCode, type ErrorCode } from './errors.js';

const codes = Object.keys(ERRORS) as ErrorCode[];

describe('ERRORS catalogue', () => {
  test('lists the stable codes', () => {
    assert.deepEqual(codes, [
      'room_name_invalid',
      'tenant_name_invalid',
      'message_malformed',
      'message_too_large',
      'signaling_too_slow',
      'protocol_version_unsupported',
      'hello_required',
      'hello_timeout',
      'room_full',
      'server_not_ready',
      'server_shutting_down',
      'media_negotiation_failed',
      'media_stalled',
      'media_worker_restarted',
      'sdp_invalid',
      'not_found',
      'internal_error',
      'method_not_allowed',
      'upgrade_required',
      'web_client_not_built',
      'api_forbidden',
      'api_token_invalid',
      'api_not_configured',
      'metrics_token_invalid',
      'token_missing',
      'token_malformed',
      'token_signature_invalid',
      'token_algorithm_not_allowed',
      'token_expired',
      'token_not_yet_valid',
      'token_issuer_not_accepted',
      'token_audience_not_accepted',
      'token_room_mismatch',
      'token_subject_mismatch',
      'token_key_unavailable',
      'forbidden',
      'participant_not_found',
      'muted_by_moderator',
      'rate_limited',
      'room_locked',
      'lobby_denied',
      'removed_by_moderator',
      'conference_ended',
      'blocked_by_moderator',
      'participant_not_blockable',
      'signaling_unreachable',
      'media_connection_failed',
      'devices_unavailable',
      'class_state_lost',
      'rejoin_ticket_revoked',
    ]);
  });

  test('every code has a distinct close code in the application range 4000-4999', () => {
    const closeCodes = codes.map((code) => ERRORS[code].closeCode);
    for (const [i, closeCode] of closeCodes.entries()) {
      assert.ok(Number.isInteger(closeCode) && closeCode >= 4000 && closeCode <= 4999, `${codes[i]}: ${closeCode}`);
    }
    assert.equal(new Set(closeCodes).size, codes.length);
  });

  test('every status is a known HTTP error status', () => {
    for (const code of codes) {
      const { status } = ERRORS[code];
      assert.ok(status >= 400 && status <= 599 && STATUS_CODES[status] !== undefined, `${code}: ${status}`);
    }
  });

  test('every message is a non-empty sentence', () => {
    for (const code of codes) assert.match(ERRORS[code].message, /^[A-Z].*\.$/, code);
  });

  test('a few codes keep their exact status and close code', () => {
    assert.deepEqual(
      { status: ERRORS.room_full.status, closeCode: ERRORS.room_full.closeCode },
      { status: 403, closeCode: 4429 },
    );
    assert.equal(ERRORS.message_too_large.status, 413);
    assert.equal(ERRORS.not_found.status, 404);
    assert.equal(ERRORS.server_not_ready.status, 503);
    assert.equal(ERRORS.internal_error.closeCode, 4500);
    // Token codes: 401 when the token does not prove its origin, 403 when it is genuine but not for here.
    assert.equal(ERRORS.token_expired.status, 401);
    assert.equal(ERRORS.token_expired.closeCode, 4464);
    assert.equal(ERRORS.token_room_mismatch.status, 403);
    assert.equal(ERRORS.token_subject_mismatch.status, 403);
  });
});

describe('errorCodeForClose', () => {
  test('round trips every code', () => {
    for (const code of codes) assert.equal(errorCodeForClose(ERRORS[code].closeCode), code);
  });

  test('returns undefined for close codes that are not ours', () => {
    for (const closeCode of [1000, 1006, 1009, 3000, 4000, 4999, 0, -1]) assert.equal(errorCodeForClose(closeCode), undefined);
  });
});

describe('isErrorCode', () => {
  test('true for catalogue codes only', () => {
    for (const code of codes) assert.equal(isErrorCode(code), true);
    for (const value of ['', 'nope', 'ROOM_FULL', 'toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      assert.equal(isErrorCode(value), false, value);
    }
  });
});

describe('ConfabError', () => {
  test('without detail uses the catalogue message', () => {
    const e = new ConfabError('room_full');
    assert.ok(e instanceof Error);
    assert.equal(e.name, 'ConfabError');
    assert.equal(e.code, 'room_full');
    assert.equal(e.detail, undefined);
    assert.equal(e.message, 'This room is full.');
    assert.equal(e.spec, ERRORS.room_full);
  });

  test('with detail uses the detail as message', () => {
    const e = new ConfabError('room_name_invalid', "room name 'a b' is not valid");
    assert.equal(e.detail, "room name 'a b' is not valid");
    assert.equal(e.message, "room name 'a b' is not valid");
    assert.equal(e.spec.closeCode, 4400);
  });

  test('toJSON() is exactly { error, message }', () => {
    assert.deepEqual(new ConfabError('not_found').toJSON(), { error: 'not_found', message: 'There is nothing at this address.' });
    assert.deepEqual(JSON.parse(JSON.stringify(new ConfabError('room_full', 'room x is full'))), {
      error: 'room_full',
      message: 'room x is full',
    });
  });

  test('keeps the cause', () => {
    const cause = new Error('socket hang up');
    const e = new ConfabError('media_negotiation_failed', 'ICE failed', { cause });
    assert.equal(e.cause, cause);
    assert.equal(e.message, 'ICE failed');
    assert.equal('cause' in new ConfabError('internal_error'), false);
  });
});
