/**
 * Webhook request signing: HMAC-SHA256 of the raw body with WEBHOOK_SECRET,
 * sent as `X-Confab-Signature: sha256=<hex>` (the GitHub convention, which
 * most webhook libraries verify as is). The body carries the event id and
 * time, so they are signed too; the headers repeat them for receivers that
 * dedupe or reject stale requests before parsing.
 */
import { createHmac } from 'node:crypto';
import type { Secret } from '../../config/secret.js';

export const SIGNATURE_HEADER = 'x-confab-signature';
export const EVENT_ID_HEADER = 'x-confab-event-id';
export const EVENT_TYPE_HEADER = 'x-confab-event';
export const TIMESTAMP_HEADER = 'x-confab-timestamp';
export const ATTEMPT_HEADER = 'x-confab-delivery-attempt';

export function signature(secret: Secret, body: string): string {
  return `sha256=${createHmac('sha256', secret.reveal()).update(body, 'utf8').digest('hex')}`;
}

export interface SignedRequest {
  readonly id: string;
  readonly type: string;
  readonly body: string;
  /** Event time, ms since 1970. */
  readonly occurredAt: number;
  /** 1 for the first try. */
  readonly attempt: number;
}

export function webhookHeaders(secret: Secret, request: SignedRequest, userAgent: string): Record<string, string> {
  return {
    'content-type': 'application/json; charset=utf-8',
    'user-agent': userAgent,
    [SIGNATURE_HEADER]: signature(secret, request.body),
    [EVENT_ID_HEADER]: request.id,
    [EVENT_TYPE_HEADER]: request.type,
    // Unix seconds of the event (not of this attempt): stable across retries.
    [TIMESTAMP_HEADER]: String(Math.floor(request.occurredAt / 1000)),
    [ATTEMPT_HEADER]: String(request.attempt),
  };
}
