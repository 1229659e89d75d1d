import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readIdentity } from './identity-claims.js';

const moderatorOf = (claims: Record<string, unknown>) => {
  const { identity, warnings } = readIdentity(claims);
  return { moderator: identity.moderator, claim: identity.moderatorClaim, warnings };
};
const source = (claims: Record<string, unknown>, field: string) => readIdentity(claims).sources.find((s) => s.field === field);

describe('readIdentity: the moderator claim where platforms put it', () => {
  test("context.user.moderator, Jitsi's own: true/'true' yes, false/'false' an explicit no", () => {
    assert.deepEqual(moderatorOf({ context: { user: { moderator: true } } }), { moderator: true, claim: 'yes', warnings: [] });
    assert.deepEqual(moderatorOf({ context: { user: { moderator: 'true' } } }), { moderator: true, claim: 'yes', warnings: [] });
    assert.deepEqual(moderatorOf({ context: { user: { moderator: false } } }), { moderator: false, claim: 'no', warnings: [] });
    assert.deepEqual(moderatorOf({ context: { user: { moderator: 'false' } } }), { moderator: false, claim: 'no', warnings: [] });
  });

  test('a top-level moderator (the token-moderation plugin convention) counts the same (issue 12)', () => {
    assert.deepEqual(moderatorOf({ moderator: true }), { moderator: true, claim: 'yes', warnings: [] });
    assert.deepEqual(moderatorOf({ moderator: 'true', context: { user: { name: 'Ada' } } }), { moderator: true, claim: 'yes', warnings: [] });
    assert.deepEqual(moderatorOf({ moderator: false }), { moderator: false, claim: 'no', warnings: [] });
    assert.equal(source({ moderator: true }, 'moderator')?.from, 'moderator (top level): true');
  });

  test('affiliation: owner, moderator, teacher say yes (any case); any other affiliation says no', () => {
    for (const a of ['owner', 'Moderator', 'TEACHER']) assert.equal(moderatorOf({ context: { user: { affiliation: a } } }).claim, 'yes', a);
    for (const a of ['member', 'student', 'participant']) assert.equal(moderatorOf({ context: { user: { affiliation: a } } }).claim, 'no', a);
  });

  test('no claim anywhere is absent: auto-owner may decide', () => {
    assert.deepEqual(moderatorOf({ context: { user: { name: 'Ada' } } }), { moderator: false, claim: 'absent', warnings: [] });
    assert.deepEqual(moderatorOf({}), { moderator: false, claim: 'absent', warnings: [] });
    assert.equal(source({}, 'moderator')?.value, 'no claim (auto-owner may make them moderator)');
  });

  test('a moderator as a number or another string is read as not a moderator, with a warning naming it', () => {
    for (const [claims, path, shown] of [
      [{ moderator: 1 }, 'moderator (top level)', 'number 1'],
      [{ moderator: 0 }, 'moderator (top level)', 'number 0'],
      [{ context: { user: { moderator: 'yes' } } }, 'context.user.moderator', "string 'yes'"],
      [{ context: { user: { moderator: null } } }, 'context.user.moderator', 'null null'],
      [{ context: { user: { affiliation: 7 } } }, 'context.user.affiliation', 'number 7'],
    ] as const) {
      const r = moderatorOf(claims);
      assert.deepEqual([r.moderator, r.claim], [false, 'no'], JSON.stringify(claims));
      assert.equal(r.warnings.length, 1, JSON.stringify(r.warnings));
      assert.ok(r.warnings[0]!.startsWith(`${path} is ${shown}`), r.warnings[0]);
    }
  });

  test('one yes wins over a no, and the conflict is warned about', () => {
    const r = moderatorOf({ moderator: false, context: { user: { affiliation: 'owner' } } });
    assert.deepEqual([r.moderator, r.claim], [true, 'yes']);
    assert.deepEqual(r.warnings, ["moderator (top level) says not a moderator (false) but context.user.affiliation says moderator ('owner'): read as moderator"]);
  });
});

describe('readIdentity: where each field was read from, and what was ignored', () => {
  test('context.user fields, each with its source', () => {
    const { identity, sources, warnings } = readIdentity({ context: { user: { id: '42', name: ' Ada ', email: 'ada@example.com' }, features: { recording: false } } });
    assert.deepEqual([identity.userId, identity.name, identity.email, identity.avatar], ['42', 'Ada', 'ada@example.com', undefined]);
    assert.deepEqual(
      sources.map((s) => `${s.field} ${s.value} <- ${s.from}`),
      [
        "name 'Ada' <- context.user.name",
        "id '42' <- context.user.id",
        "email 'ada@example.com' <- context.user.email",
        'avatar (none) <- no context.user.avatar',
        'moderator no claim (auto-owner may make them moderator) <- none of context.user.moderator, moderator, context.user.affiliation',
        'features recording <- context.features',
      ],
    );
    assert.deepEqual(warnings, []);
  });

  test('claims nested in context by mistake, or at the top level, are ignored with a warning each', () => {
    const { identity, warnings } = readIdentity({ name: 'Top', user: { name: 'U' }, features: {}, context: { name: 'Ctx', moderator: true, id: '7' } });
    assert.deepEqual([identity.name, identity.userId, identity.moderator, identity.moderatorClaim], [undefined, undefined, false, 'absent']);
    assert.deepEqual(warnings, [
      'context.name is ignored: it belongs in context.user.name',
      'context.id is ignored: it belongs in context.user.id',
      'context.moderator is ignored: it belongs in context.user.moderator (or a top-level moderator)',
      'top-level name is ignored: it belongs in context.user.name',
      'top-level user is ignored: it belongs in context.user',
      'top-level features is ignored: it belongs in context.features',
    ]);
  });

  test('values of the wrong type are ignored, each warned about', () => {
    const { identity, warnings } = readIdentity({ context: { user: { name: 42, id: 7, email: '' }, features: 'all' } });
    assert.deepEqual([identity.name, identity.userId, identity.email, identity.features], [undefined, undefined, undefined, undefined]);
    assert.deepEqual(warnings, [
      'context.user.name is number 42: ignored (it must be a non-empty string)',
      'context.user.id is number 7: ignored (it must be a non-empty string)',
      'context.user.email is empty: ignored (it must be a non-empty string)',
        'context.features is string, not an object: ignored',
    ]);
    assert.deepEqual(readIdentity({ context: 'x' }).warnings, ["context is string, not an object: ignored"]);
  });
});
