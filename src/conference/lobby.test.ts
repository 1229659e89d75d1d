import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Lobby, type LobbyDecision } from './lobby.js';

describe('Lobby', () => {
  test('knockers wait in arrival order and each knock resolves once with its decision', async () => {
    const lobby = new Lobby(true);
    const changes: string[][] = [];
    lobby.on('changed', (waiting) => changes.push(waiting.map((k) => k.displayName)));
    const bob = lobby.knock('Bob', 2000);
    const ada = lobby.knock('Ada', 1000);
    const cy = lobby.knock('Cy', 3000);
    assert.deepEqual(lobby.list().map((k) => k.displayName), ['Ada', 'Bob', 'Cy']);
    assert.equal(lobby.decide(ada.knocker.id, 'admitted'), true);
    assert.equal(lobby.decide(ada.knocker.id, 'denied'), false, 'decided already');
    assert.equal(lobby.decide(bob.knocker.id, 'denied'), true);
    assert.equal(await ada.decision, 'admitted');
    assert.equal(await bob.decision, 'denied');
    assert.deepEqual(lobby.list().map((k) => k.displayName), ['Cy']);
    assert.deepEqual(changes, [['Bob'], ['Ada', 'Bob'], ['Ada', 'Bob', 'Cy'], ['Bob', 'Cy'], ['Cy']]);
    assert.equal(lobby.has(cy.knocker.id), true);
  });

  test('turning the lobby off admits everyone waiting', async () => {
    const lobby = new Lobby(true);
    const knocks = [lobby.knock('Ada'), lobby.knock('Bob')];
    lobby.setEnabled(false);
    assert.equal(lobby.enabled, false);
    assert.deepEqual(await Promise.all(knocks.map((k) => k.decision)), ['admitted', 'admitted']);
    assert.equal(lobby.size, 0);
  });

  test('settleAll gives everyone the same decision; unknown knock ids are refused', async () => {
    const lobby = new Lobby(true);
    const knock = lobby.knock('Ada');
    lobby.settleAll('closed');
    assert.equal(await knock.decision, 'closed' satisfies LobbyDecision);
    assert.equal(lobby.decide('nobody', 'admitted'), false);
  });

  test('a flood of knockers is refused with room_full', () => {
    const lobby = new Lobby(true);
    for (let i = 0; i < 500; i++) lobby.knock(`k${i}`);
    assert.throws(() => lobby.knock('one too many'), { code: 'room_full' });
  });
});
