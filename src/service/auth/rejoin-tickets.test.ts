import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Admission } from './admission.js';
import { RejoinTickets } from './rejoin-tickets.js';

const admission: Admission = {
  kind: 'token',
  moderator: true,
  moderatorClaim: 'yes',
  identityKey: '["meet.jitsi","u1"]',
  user: { id: 'u1', email: undefined, avatar: undefined },
  displayName: 'Ada',
  features: undefined,
  issuer: 'my_app',
};

describe('RejoinTickets', () => {
  test('revoked: one ticket, every ticket of one identity in a room, or every ticket of a room (issue 12)', () => {
    const tickets = new RejoinTickets();
    const other: Admission = { ...admission, identityKey: '["meet.jitsi","u2"]' };
    const current = tickets.issue(admission, 'r');
    const earlier = tickets.issue(admission, 'r');
    tickets.release(earlier);
    const elsewhere = tickets.issue(admission, 'other-room');
    const someoneElse = tickets.issue(other, 'r');
    tickets.revoke(current);
    tickets.revokeIdentity('r', admission.identityKey);
    assert.equal(tickets.redeem(current, 'r'), undefined);
    assert.equal(tickets.redeem(earlier, 'r'), undefined, 'an earlier ticket of the same person to the same class');
    assert.ok(tickets.redeem(elsewhere, 'other-room'), 'another class is not affected');
    const next = tickets.issue(other, 'r');
    tickets.revokeRoom('r');
    assert.equal(tickets.redeem(someoneElse, 'r'), undefined);
    assert.equal(tickets.redeem(next, 'r'), undefined);
    tickets.revokeIdentity('r', undefined);
  });

  test('a ticket readmits once, to the same room, with the same identity', () => {
    const tickets = new RejoinTickets();
    const ticket = tickets.issue(admission, 'maths-101');
    assert.match(ticket, /^[\w-]{32}$/);
    assert.equal(tickets.redeem(ticket, 'physics'), undefined, 'another room');
    const { ticketIssuedAt, ...redeemed } = tickets.redeem(ticket, 'maths-101')!;
    assert.deepEqual(redeemed, { ...admission, kind: 'rejoin' });
    assert.ok(typeof ticketIssuedAt === 'number' && ticketIssuedAt <= Date.now(), 'when it was issued: a cluster host refuses one from before a removal');
    assert.equal(tickets.redeem(ticket, 'maths-101'), undefined, 'single use');
    assert.equal(tickets.redeem('made-up', 'maths-101'), undefined);
  });

  test('good while connected, and for the grace period after the connection ends', () => {
    let now = 1_000_000;
    const tickets = new RejoinTickets(60_000, () => now);
    const held = tickets.issue(admission, 'r');
    now += 24 * 3600_000;
    const released = tickets.issue(admission, 'r');
    tickets.release(released);
    now += 59_999;
    assert.ok(tickets.redeem(held, 'r'), 'held for a day: still good');
    assert.ok(tickets.redeem(released, 'r'), 'within the grace period');
    const late = tickets.issue(admission, 'r');
    tickets.release(late);
    now += 60_000;
    assert.equal(tickets.redeem(late, 'r'), undefined, 'after the grace period');
    tickets.issue(admission, 'r'); // purges expired ones
    assert.equal(tickets.size, 1);
  });
});
