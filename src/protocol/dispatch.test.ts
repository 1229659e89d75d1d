/**
 * The handler tables each receiver dispatches with (the server's participant
 * link, the page, the bot) must handle every message type. The @ts-expect-error
 * lines below are the test that matters: `npm run typecheck` fails if an
 * incomplete or mistyped table ever compiles, because the directive would then
 * be unused. The runtime tests check dispatch itself.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertNever, dispatch, type HandlerTable } from './dispatch.js';
import { clientMessage, serverMessage, type RoomMessage, type ServerMessage } from './messages.js';

const ignore = (): void => undefined;

/** Every server message handled: what the page's and the bot's tables look like. */
const everyServerMessage: HandlerTable<ServerMessage> = {
  welcome: ignore,
  resumed: ignore,
  'publish-answer': ignore,
  'restart-ice': ignore,
  'track-unavailable': ignore,
  'subscribe-offer': ignore,
  'participant-joined': ignore,
  'participant-updated': ignore,
  'participant-left': ignore,
  'dominant-speaker': ignore,
  'video-layers': ignore,
  'room-state': ignore,
  chat: ignore,
  'lobby-waiting': ignore,
  lobby: ignore,
  pong: ignore,
  error: ignore,
};

// A table that forgets one server message does not compile (the page and the bot would drop it silently).
const { lobby: _lobby, ...allButLobby } = everyServerMessage;
// @ts-expect-error 'lobby' has no handler
const missingServerMessage: HandlerTable<ServerMessage> = allButLobby;

// Nor one that forgets a room message (the server would drop it silently).
// @ts-expect-error 'client-report' has no handler
const missingRoomMessage: HandlerTable<RoomMessage> = {
  'publish-offer': ignore,
  'subscribe-answer': ignore,
  'ice-candidate': ignore,
  'restart-ice': ignore,
  'set-muted': ignore,
  'receive-video': ignore,
  'set-display-name': ignore,
  moderate: ignore,
  'chat-send': ignore,
  'set-hand-raised': ignore,
  leave: ignore,
};

// Each handler gets its own message's shape.
const typed: Partial<HandlerTable<ServerMessage>> = {
  // @ts-expect-error a welcome has no `sdp`
  welcome: (m) => void m.sdp,
  'publish-answer': (m) => void m.sdp,
};

// A switch over a union compiles with assertNever only when every member is handled.
function describeKind(kind: 'audio' | 'video'): string {
  switch (kind) {
    case 'audio':
      return 'microphone';
    default:
      // @ts-expect-error 'video' is not handled, so `kind` is not `never` here
      return assertNever(kind);
  }
}

test('dispatch calls the handler of the message type, with the message', () => {
  const seen: string[] = [];
  const table: HandlerTable<ServerMessage, string> = Object.fromEntries(
    serverMessage.options.map((o) => [o.shape.type.value, (m: ServerMessage) => (seen.push(m.type), `handled ${m.type}`)]),
  ) as unknown as HandlerTable<ServerMessage, string>;
  assert.equal(dispatch(table, { type: 'lobby-waiting', moderatorPresent: true }), 'handled lobby-waiting');
  assert.deepEqual(seen, ['lobby-waiting']);
});

test('the tables above cover exactly the message types of the schemas', () => {
  assert.deepEqual(Object.keys(everyServerMessage).sort(), serverMessage.options.map((o) => o.shape.type.value).sort());
  const roomTypes = clientMessage.options.map((o) => o.shape.type.value).filter((t) => t !== 'hello' && t !== 'ping');
  assert.deepEqual([...Object.keys(missingRoomMessage), 'client-report'].sort(), roomTypes.sort());
  assert.equal(typeof missingServerMessage.welcome, 'function');
  assert.equal(typeof typed['publish-answer'], 'function');
});

test('assertNever throws for a value that slipped through at run time', () => {
  assert.throws(() => describeKind('video'), /unexpected value: "video"/);
  assert.equal(describeKind('audio'), 'microphone');
});
