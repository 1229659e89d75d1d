/**
 * A test server whose attendance webhooks go to a receiver on loopback, with its outbox in a
 * temporary directory: the setup the token, room-name, join-limit and REST API tests share.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type TestServer } from './server.js';
import { WebhookReceiver } from './webhook-receiver.js';

export interface WebhookTestServer {
  readonly server: TestServer;
  readonly receiver: WebhookReceiver;
  /** Stops the server, then the receiver, and removes the outbox. */
  stop(): Promise<void>;
}

/** `env` comes on top of WEBHOOK_URL, WEBHOOK_SECRET (`hookSecret`) and WEBHOOK_OUTBOX_PATH. */
export async function startServerWithWebhooks(hookSecret: string, env: Record<string, string>): Promise<WebhookTestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'confab-webhooks-'));
  const receiver = new WebhookReceiver(hookSecret);
  await receiver.listen();
  const server = await startServer({
    WEBHOOK_URL: receiver.url,
    WEBHOOK_SECRET: hookSecret,
    WEBHOOK_OUTBOX_PATH: join(dir, 'outbox.sqlite'),
    ...env,
  });
  return {
    server,
    receiver,
    async stop() {
      await server.stop();
      await receiver.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
