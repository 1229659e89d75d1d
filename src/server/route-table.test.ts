import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RESERVED_NAMES } from '../protocol/room-name.js';
import { routedSegments, routeOf } from './route-table.js';

test('each path below the base has one kind', () => {
  const cases: [string, string][] = [
    ['', 'home'],
    ['healthz', 'healthz'],
    ['readyz', 'readyz'],
    ['metrics', 'metrics'],
    ['external_api.js', 'external-api'],
    ['favicon.ico', 'favicon'],
    ['assets/index-abc.js', 'asset'],
    ['api', 'api'],
    ['api/rooms', 'api'],
    ['signaling', 'websocket'],
    ['signaling/lp', 'long-poll'],
    ['maths-101', 'room'],
    ['school/maths-101', 'room'],
    ['signaling/other', 'room'],
    ['toString', 'room'],
    ['constructor', 'room'],
  ];
  for (const [rest, kind] of cases) assert.equal(routeOf(rest), kind, rest);
});

test('no room or tenant can be named like a route', () => {
  for (const segment of routedSegments()) assert.ok(RESERVED_NAMES.has(segment), `${segment} must be in RESERVED_NAMES`);
});
