/**
 * Joins through the public URL's signaling as a participant would (hello),
 * without media, and reports the welcome or the exact refusal: the error
 * frame's code and message, and the close code from the catalogue. Over
 * WebSocket or, when that is blocked, long-poll, as a browser would.
 */
import { connectSignaling, type BotSignaling, type SignalingMode, type SignalingTransport } from '../../bot/index.js';
import { errorCodeForClose } from '../../protocol/errors.js';
import { PROTOCOL_VERSION, type ServerMessageOf } from '../../protocol/messages.js';

export type HelloResult = (
  | { readonly admitted: true; readonly welcome: ServerMessageOf<'welcome'>; readonly ms: number }
  | { readonly admitted: false; readonly code: string; readonly message: string; readonly closeCode: number | undefined; readonly ms: number }
) & {
  /** The transport that carried the hello (none when neither connected). */
  readonly transport?: SignalingTransport;
};

export interface HelloRequest {
  readonly url: string;
  readonly room: string;
  readonly tenant?: string;
  readonly token?: string;
  readonly timeoutMs: number;
  readonly signaling: SignalingMode;
}

export async function helloProbe(request: HelloRequest): Promise<HelloResult> {
  const started = performance.now();
  const ms = (): number => Math.round(performance.now() - started);
  let client: BotSignaling;
  try {
    client = await connectSignaling(request.url, request.signaling, request.timeoutMs);
  } catch (error) {
    return { admitted: false, code: 'signaling_unreachable', message: (error as Error).message, closeCode: undefined, ms: ms() };
  }
  let refusal: { code: string; message: string } | undefined;
  client.on('message', (m) => {
    if (m.type === 'error') refusal = { code: m.code, message: m.message };
  });
  const welcome = client.waitFor('welcome', request.timeoutMs);
  client.send({
    type: 'hello',
    protocolVersion: PROTOCOL_VERSION,
    room: request.room,
    tenant: request.tenant,
    displayName: 'confab doctor (probe)',
    token: request.token,
    audioMuted: true,
    videoMuted: true,
  });
  try {
    const message = await welcome;
    const result = { admitted: true as const, welcome: message, ms: ms(), transport: client.transport };
    // Leave at once: the probe must not linger in anyone's room.
    const gone = new Promise<void>((resolve) => client.once('closed', () => resolve()));
    client.send({ type: 'leave' });
    await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    await client.close();
    return result;
  } catch (error) {
    // Confab sends an error frame (code, specific message) and then closes with the code's close code.
    const closed = client.closed;
    await client.close();
    const closeCode = closed?.code;
    const code = refusal?.code ?? (closeCode !== undefined ? errorCodeForClose(closeCode) : undefined) ?? 'no_welcome';
    const message = refusal?.message ?? (closed?.reason || (error as Error).message);
    return { admitted: false, code, message, closeCode, ms: ms(), transport: client.transport };
  }
}
