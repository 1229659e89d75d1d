/**
 * The two ends of a producer piped to another media worker (issue 14):
 * a PipeSink among the producer's sinks in the publisher's worker, and a
 * pipe input feeding a Producer of the same id in the other worker, whose
 * subscribers consume it as they would the original.
 *
 * Pauses are applied at both ends by the main thread (a muted producer
 * sends nothing down the pipe; the far producer marks the gap for its own
 * consumers). Keyframe requests from the far end go back through the main
 * thread to the original producer (signaling rate: a few per second at most).
 */
import type { MediaStreamTrack, RtpPacket } from 'werift';
import type { Producer, ProducerInput, ProducerSink } from '../producer.js';
import type { PipeSocket } from './pipe-socket.js';

export class PipeSink implements ProducerSink {
  #closed = false;

  constructor(
    private readonly producer: Producer,
    private readonly socket: PipeSocket,
    /** The other worker's pipe port. */
    private readonly toPort: number,
    readonly pipeId: number,
  ) {
    producer.consumers.add(this);
  }

  /** Every layer goes down the pipe: each subscriber on the far side picks its own. */
  send(rtp: RtpPacket, layer: number): void {
    if (!this.#closed) this.socket.send(this.toPort, this.pipeId, rtp, layer);
  }

  /** The far producer is paused and resumed by the main thread itself, and marks its own consumers. */
  markGap(): void {}

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.producer.consumers.delete(this);
  }
}

/** Packets of a producer piped here from the worker whose pipe port is `fromPort`; `rids`: its simulcast layers (the original's). */
export function pipeInput(socket: PipeSocket, fromPort: number, pipeId: number, rids: readonly string[], requestKeyframe: (layer: number) => void): ProducerInput {
  return {
    rids,
    subscribe: (deliver) => {
      socket.addInbound(pipeId, fromPort, deliver);
      return () => socket.removeInbound(pipeId);
    },
    requestKeyframe,
    fromPublisher: false,
    carries: (_track: MediaStreamTrack) => false,
  };
}
