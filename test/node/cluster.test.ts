/**
 * Cluster mode with in-process nodes on one Redis (Debian's redis-server):
 * participants of one class joining through different replicas are in one
 * room and receive each other's media; a relay link that drops loses no
 * message; a page back through another replica resumes its session.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SignalingClient, signalingUrl, type Bot } from '../../src/bot/index.js';
import { PROTOCOL_VERSION, type ServerMessage, type ServerMessageOf } from '../../src/protocol/messages.js';
import { allReceiving, closeAll, joinBots } from '../support/bots.js';
import { clusterView, startNodes } from '../support/cluster.js';
import { startRedis, type RunningRedis } from '../support/redis.js';
import { waitUntil, type TestServer } from '../support/server.js';

const API_TOKEN = 'cluster-test-api-token-0123456789abcdef';
let redis: RunningRedis;
let nodes: TestServer[] = [];
const bots: Bot[] = [];
/** Raw clients (declared below), closed before the tests that count load. */
const probes: { client: SignalingClient }[] = [];

before(async () => {
  redis = await startRedis();
  nodes = await startNodes(redis.url, 3, { API_TOKEN });
});
after(async () => {
  await closeAll(bots);
  for (const n of nodes) await n.stop();
  await redis?.dispose();
});

/** Which node hosts a room (its local registry has it). */
function hostOf(room: string): TestServer[] {
  return nodes.filter((n) => n.server.gateway.registry.get(room));
}

test('three participants joining through three replicas are in one room and receive each other', { timeout: 60_000 }, async () => {
  const joined: Bot[] = [];
  for (const [i, node] of nodes.entries()) joined.push(...(await joinBots(node.url, 'one-class', [`p${i}`])));
  bots.push(...joined);
  assert.equal(hostOf('one-class').length, 1, 'exactly one node hosts the room');
  const host = hostOf('one-class')[0]!;
  assert.equal(host.server.gateway.registry.get('one-class')!.participants.size, 3);
  await waitUntil(() => joined.every((b) => b.participants.size === 2), 10_000, 'everyone to see the two others');
  await waitUntil(() => allReceiving(joined, 25), 15_000, 'audio and video from everyone to everyone');
});

/** A raw signaling client that records every server message and counts them as the web client does. */
class Probe {
  readonly messages: ServerMessage[] = [];
  welcome!: ServerMessageOf<'welcome'>;

  private constructor(public client: SignalingClient) {
    client.on('message', (m) => this.messages.push(m));
  }

  static async connect(node: TestServer): Promise<Probe> {
    const probe = new Probe(await SignalingClient.connect(signalingUrl(node.url)));
    probes.push(probe);
    return probe;
  }

  static async join(node: TestServer, room: string, name: string): Promise<Probe> {
    const probe = await Probe.connect(node);
    const welcome = probe.client.waitFor('welcome');
    probe.client.send({ type: 'hello', protocolVersion: PROTOCOL_VERSION, room, displayName: name, audioMuted: true, videoMuted: true });
    probe.welcome = await welcome;
    return probe;
  }

  get received(): number {
    return this.messages.filter((m) => m.type !== 'resumed' && m.type !== 'pong').length;
  }

  chats(): string[] {
    return this.messages.flatMap((m) => (m.type === 'chat' && !m.history ? m.messages.map((c) => c.text) : []));
  }

  left(): string[] {
    return this.messages.flatMap((m) => (m.type === 'participant-left' ? [m.participantId] : []));
  }
}

/** The node hosting `room` and the others, once someone joined it. */
function roles(room: string): { host: TestServer; edges: TestServer[] } {
  const [host] = hostOf(room);
  assert.ok(host, `some node hosts ${room}`);
  return { host, edges: nodes.filter((n) => n !== host) };
}

test('a relay link that drops loses no message either way, and nobody sees anyone leave', { timeout: 30_000 }, async () => {
  const first = await Probe.join(nodes[0]!, 'hiccup', 'first');
  const { host, edges } = roles('hiccup');
  const relayed = await Probe.join(edges[0]!, 'hiccup', 'relayed');
  const local = await Probe.join(host, 'hiccup', 'local');
  await waitUntil(() => host.server.cluster!.relays.size >= 1, 5000, 'a relay link into the host');
  for (const relay of host.server.cluster!.relays) relay.terminate();
  // Both ways at once, while the link is down.
  local.client.send({ type: 'chat-send', text: 'to the relayed one, during the hiccup' });
  relayed.client.send({ type: 'chat-send', text: 'from the relayed one, during the hiccup' });
  await waitUntil(() => relayed.chats().includes('to the relayed one, during the hiccup'), 10_000, 'host → relayed after the hiccup');
  await waitUntil(() => local.chats().includes('from the relayed one, during the hiccup'), 10_000, 'relayed → host after the hiccup');
  relayed.client.send({ type: 'chat-send', text: 'after' });
  await waitUntil(() => local.chats().includes('after') && first.chats().includes('after'), 5000, 'the link carries on');
  for (const p of [first, relayed, local]) {
    assert.deepEqual(p.left(), [], 'nobody saw anyone leave');
    assert.equal(p.chats().filter((t) => t.includes('during the hiccup')).length, 2, 'each message exactly once');
  }
  assert.equal(host.server.gateway.registry.get('hiccup')?.participants.size, 3);
  for (const p of [first, relayed, local]) await p.client.close();
});

test('a page back through another replica resumes its session there: same participant, what it missed replayed', { timeout: 30_000 }, async () => {
  await Probe.join(nodes[1]!, 'roaming', 'first');
  const { host, edges } = roles('roaming');
  const roamer = await Probe.join(edges[0]!, 'roaming', 'roamer');
  const teacher = await Probe.join(host, 'roaming', 'teacher');
  await waitUntil(() => roamer.messages.some((m) => m.type === 'participant-joined' && m.participant.id === teacher.welcome.participantId), 5000, 'the roamer to see the teacher');
  // Through a third replica, then through the host itself.
  for (const [hop, via] of [edges[1]!, host].entries()) {
    const before = roamer.received;
    roamer.client.socket.terminate();
    await waitUntil(() => host.server.resume.suspendedCount() + edges[0]!.server.resume.suspendedCount() + edges[1]!.server.resume.suspendedCount() > 0, 5000, 'the drop to be noticed');
    teacher.client.send({ type: 'chat-send', text: `while away ${hop}` });
    await waitUntil(() => teacher.chats().includes(`while away ${hop}`), 5000, 'the teacher to post');
    const back = await Probe.connect(via);
    const resumed = back.client.waitFor('resumed');
    back.client.send({
      type: 'hello',
      protocolVersion: PROTOCOL_VERSION,
      room: 'roaming',
      displayName: 'roamer',
      audioMuted: true,
      videoMuted: true,
      resume: { participantId: roamer.welcome.participantId, secret: roamer.welcome.resumeSecret!, received: before },
    });
    assert.equal((await resumed).participantId, roamer.welcome.participantId, `hop ${hop}: the same participant`);
    await waitUntil(() => back.chats().includes(`while away ${hop}`), 5000, `hop ${hop}: the missed chat replayed`);
    back.client.send({ type: 'chat-send', text: `back ${hop}` });
    await waitUntil(() => teacher.chats().includes(`back ${hop}`), 5000, `hop ${hop}: the session goes on`);
    assert.deepEqual(teacher.left(), [], 'the teacher never saw the roamer leave');
    roamer.client = back.client;
    roamer.messages.push(...back.messages);
    back.client.on('message', (m) => roamer.messages.push(m));
  }
  assert.equal(host.server.gateway.registry.get('roaming')?.participants.size, 3);
  // The replicas that carried it before let it go.
  await waitUntil(() => edges.every((e) => e.server.resume.suspendedCount() === 0), 5000, 'no session left held anywhere');
});

test('two classes land on two different nodes by load; many small rooms spread and each is hosted once', { timeout: 90_000 }, async () => {
  // An empty cluster, as the registry sees it, so that load is only what this test brings.
  await closeAll(bots.splice(0));
  for (const p of probes.splice(0)) await p.client.close();
  await waitUntil(() => nodes.every((n) => n.server.cluster!.node.nodes.every((x) => x.participants === 0)), 10_000, 'the earlier tests to have left');
  const big = await joinBots(nodes[0]!.url, 'big-class', ['t', 's1', 's2']);
  bots.push(...big);
  const [bigHost] = hostOf('big-class');
  // Placement reads the registry, refreshed every third of the lease: wait until it shows the big class.
  await waitUntil(() => nodes.every((n) => n.server.cluster!.node.nodes.some((x) => x.id === bigHost!.server.cluster!.node.id && x.participants === 3)), 5000, 'the load to reach the registry');
  const second = await joinBots(bigHost!.url, 'second-class', ['u', 'v']);
  bots.push(...second);
  const [secondHost] = hostOf('second-class');
  assert.notEqual(secondHost, bigHost, 'the second class goes to a less loaded node, though it was joined through the busy one');
  await waitUntil(() => allReceiving(big, 10) && allReceiving(second, 10), 15_000, 'both classes to have their media');
  await closeAll([...big, ...second]);
  await waitUntil(() => nodes.every((n) => n.server.cluster!.node.nodes.every((x) => x.participants === 0)), 10_000, 'the two classes to have left');

  // Six rooms of two bots each, every bot through a different replica than its roommate, started at
  // once: placement spreads a burst (the registry's load lags a beat; each edge counts what it placed).
  const rooms = Array.from({ length: 6 }, (_, i) => `small-${i}`);
  const pairs = await Promise.all(
    rooms.map(async (room, i) => [...(await joinBots(nodes[i % 3]!.url, room, ['a'], { publish: { audio: true, video: false } })), ...(await joinBots(nodes[(i + 1) % 3]!.url, room, ['b'], { publish: { audio: true, video: false } }))]),
  );
  bots.push(...pairs.flat());
  for (const room of rooms) assert.equal(hostOf(room).length, 1, `${room} is hosted by exactly one node`);
  const used = new Set(rooms.map((room) => hostOf(room)[0]));
  assert.ok(used.size >= 2, `the rooms spread over ${used.size} nodes`);
  for (const node of nodes) assert.ok(rooms.filter((room) => hostOf(room)[0] === node).length <= 4, 'no node got (nearly) all of them');
  await waitUntil(() => pairs.every((pair) => allReceiving(pair, 10, ['audio'])), 20_000, 'each pair to hear each other');
  await closeAll(pairs.flat());
});

test('/readyz and the REST API show the whole cluster, whichever node is asked', { timeout: 30_000 }, async () => {
  const group = [...(await joinBots(nodes[0]!.url, 'api-one', ['x'], { publish: { audio: true, video: false } })), ...(await joinBots(nodes[1]!.url, 'api-two', ['y'], { publish: { audio: true, video: false } }))];
  bots.push(...group);
  await waitUntil(() => nodes[2]!.server.cluster!.node.nodes.reduce((n, x) => n + x.participants, 0) >= 2, 5000, 'the registry to count them');
  for (const node of nodes) {
    const view = await clusterView(node.url);
    assert.equal(view.redis, 'reachable');
    assert.equal(view.nodes.length, 3, 'three nodes listed');
    const res = await fetch(`${node.url}api/rooms`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
    assert.equal(res.status, 200);
    const { rooms } = (await res.json()) as { rooms: { roomKey: string; participants: number }[] };
    for (const key of ['api-one', 'api-two']) assert.equal(rooms.find((r) => r.roomKey === key)?.participants, 1, `${key} listed by ${node.url}`);
    const who = (await (await fetch(`${node.url}api/rooms/api-two/participants`, { headers: { authorization: `Bearer ${API_TOKEN}` } })).json()) as { participants: { displayName: string }[] };
    assert.deepEqual(who.participants.map((p) => p.displayName), ['y']);
  }
  await closeAll(group);
});
