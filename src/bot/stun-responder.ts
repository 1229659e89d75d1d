/**
 * A minimal STUN Binding responder on 127.0.0.1, shared by the bots of one
 * process.
 *
 * Why it exists: werift's full ICE agent always asks a STUN server for a
 * server-reflexive candidate, and with no STUN server configured it falls
 * back to resolving and querying stun.l.google.com. Pointing `iceServers` at
 * this responder keeps gathering on loopback, fast, and offline.
 */
import { createSocket, type Socket } from 'node:dgram';
import { classes, Message, methods, parseMessage } from 'werift';

let shared: { socket: Socket; port: number; users: number } | undefined;
let starting: Promise<number> | undefined;

function answer(socket: Socket, data: Buffer, host: string, port: number): void {
  const request = parseMessage(data);
  if (!request || request.messageMethod !== methods.BINDING || request.messageClass !== classes.REQUEST) return;
  const response = new Message(methods.BINDING, classes.RESPONSE, request.transactionId);
  response.setAttribute('XOR-MAPPED-ADDRESS', [host, port]);
  response.addFingerprint();
  socket.send(response.bytes, port, host);
}

function open(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.on('message', (data, rinfo) => {
      try {
        answer(socket, data, rinfo.address, rinfo.port);
      } catch {
        // Not STUN, or a malformed request: a real server would drop it too.
      }
    });
    socket.bind(0, '127.0.0.1', () => {
      socket.off('error', reject);
      // Never keep a process alive just for this.
      socket.unref();
      const port = socket.address().port;
      shared = { socket, port, users: 0 };
      resolve(port);
    });
  });
}

/** Starts (or reuses) the responder; every acquire must be paired with a release. */
export async function acquireStunResponder(): Promise<number> {
  if (!shared) {
    starting ??= open().finally(() => {
      starting = undefined;
    });
    await starting;
  }
  if (!shared) throw new Error('STUN responder failed to start');
  shared.users++;
  return shared.port;
}

export function releaseStunResponder(): void {
  if (!shared) return;
  shared.users--;
  if (shared.users > 0) return;
  shared.socket.close();
  shared = undefined;
}
