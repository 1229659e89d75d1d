import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { after, before, describe, test } from 'node:test';
import { RtpHeader, RtpPacket } from 'werift';
import { PipeSocket } from './pipe-socket.js';

const packet = (sequenceNumber: number): RtpPacket =>
  new RtpPacket(new RtpHeader({ payloadType: 96, sequenceNumber, timestamp: 1234, ssrc: 0xabcdef, marker: true }), Buffer.from('payload'));

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 50));

describe('PipeSocket: plain RTP between two workers', () => {
  let a: PipeSocket;
  let b: PipeSocket;
  before(async () => {
    [a, b] = await Promise.all([PipeSocket.open(), PipeSocket.open()]);
  });
  after(() => {
    a.close();
    b.close();
  });

  test('a packet sent down a pipe arrives whole at the other end, with its simulcast layer', async () => {
    const got: RtpPacket[] = [];
    const layers: number[] = [];
    b.addInbound(7, a.port, (rtp, layer) => {
      got.push(rtp);
      layers.push(layer);
    });
    a.send(b.port, 7, packet(42), 2);
    await settle();
    assert.equal(got.length, 1);
    assert.deepEqual(layers, [2]);
    assert.deepEqual([got[0]!.header.sequenceNumber, got[0]!.header.timestamp, got[0]!.header.ssrc, got[0]!.header.marker], [42, 1234, 0xabcdef, true]);
    assert.equal(got[0]!.payload.toString(), 'payload');
    b.removeInbound(7);
  });

  test('an unknown pipe id, or the right id from another sender, is dropped', async () => {
    const got: RtpPacket[] = [];
    b.addInbound(8, a.port, (rtp) => got.push(rtp));
    const droppedBefore = b.dropped;
    a.send(b.port, 9, packet(1));
    // The right id from a socket that is not the sending worker's pipe (another local process).
    const stranger = createSocket('udp4');
    await new Promise<void>((resolve) => stranger.bind(0, '127.0.0.1', resolve));
    const datagram = Buffer.concat([Buffer.from([0, 0, 0, 8, 0]), packet(2).serialize()]);
    stranger.send(datagram, b.port, '127.0.0.1');
    // Too short to hold an RTP header.
    stranger.send(Buffer.from([0, 0, 0, 8, 1, 2]), b.port, '127.0.0.1');
    await settle();
    stranger.close();
    assert.equal(got.length, 0);
    assert.equal(b.dropped - droppedBefore, 3);
    b.removeInbound(8);
  });

  test('a pipe id is taken once; after removal its packets are dropped', async () => {
    b.addInbound(10, a.port, () => undefined);
    assert.throws(() => b.addInbound(10, a.port, () => undefined), /already exists/);
    b.removeInbound(10);
    assert.equal(b.inboundCount, 0);
    const droppedBefore = b.dropped;
    a.send(b.port, 10, packet(3));
    await settle();
    assert.equal(b.dropped - droppedBefore, 1);
  });
});
