import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReplayBuffer } from './replay-buffer.js';

test('numbers messages from 1 and replays what came after the count received', () => {
  const buffer = new ReplayBuffer<string>();
  assert.equal(buffer.push('a', 1), 1);
  assert.equal(buffer.push('b', 1), 2);
  assert.equal(buffer.push('c', 1), 3);
  assert.deepEqual(buffer.after(0), ['a', 'b', 'c']);
  assert.deepEqual(buffer.after(1), ['b', 'c']);
  assert.deepEqual(buffer.after(3), []);
});

test('refuses a count beyond what was sent, negative or not an integer', () => {
  const buffer = new ReplayBuffer<string>();
  buffer.push('a', 1);
  assert.equal(buffer.after(2), undefined);
  assert.equal(buffer.after(-1), undefined);
  assert.equal(buffer.after(0.5), undefined);
  assert.deepEqual(new ReplayBuffer<string>().after(0), []);
});

test('drops the oldest beyond the message limit, and refuses a replay that needs them', () => {
  const buffer = new ReplayBuffer<number>({ messages: 3, bytes: 1e9 });
  for (let i = 1; i <= 5; i++) buffer.push(i, 1);
  assert.equal(buffer.size, 3);
  assert.equal(buffer.after(1), undefined, 'message 2 is gone');
  assert.deepEqual(buffer.after(2), [3, 4, 5]);
  assert.deepEqual(buffer.after(4), [5]);
});

test('drops the oldest beyond the size budget but always keeps the newest', () => {
  const buffer = new ReplayBuffer<string>({ messages: 100, bytes: 10 });
  buffer.push('small', 4);
  buffer.push('small', 4);
  assert.equal(buffer.size, 2);
  buffer.push('huge', 50);
  assert.equal(buffer.size, 1, 'only the oversized newest one');
  assert.deepEqual(buffer.after(2), ['huge']);
  assert.equal(buffer.after(1), undefined);
});

test('stays correct across many pushes (compaction)', () => {
  const buffer = new ReplayBuffer<number>({ messages: 10, bytes: 1e9 });
  for (let i = 1; i <= 5000; i++) buffer.push(i, 1);
  assert.equal(buffer.lastSeq, 5000);
  assert.deepEqual(buffer.after(4995), [4996, 4997, 4998, 4999, 5000]);
  assert.deepEqual(buffer.after(4990), [4991, 4992, 4993, 4994, 4995, 4996, 4997, 4998, 4999, 5000]);
  assert.equal(buffer.after(4989), undefined);
});

test('acknowledged messages are dropped; a resume from before the acknowledgement is refused', () => {
  const buffer = new ReplayBuffer<string>();
  for (const m of ['a', 'b', 'c', 'd']) buffer.push(m, 1);
  buffer.acknowledge(2);
  assert.equal(buffer.size, 2);
  assert.deepEqual(buffer.after(2), ['c', 'd']);
  assert.equal(buffer.after(1), undefined, 'the other side said it had b');
  buffer.acknowledge(99);
  assert.equal(buffer.size, 2, 'an acknowledgement beyond what was sent is ignored');
  buffer.acknowledge(4);
  assert.equal(buffer.size, 0);
  assert.deepEqual(buffer.after(4), []);
  assert.equal(buffer.push('e', 1), 5, 'numbering goes on');
});
