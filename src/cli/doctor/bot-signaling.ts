/**
 * Which signaling the token probe and the media bots use, as a browser
 * would: WebSocket when its upgrade passed, else long-poll when that route
 * reaches Confab (a proxy without Upgrade headers); and how their lines say
 * that participants meet over the fallback.
 */
import type { SignalingMode, SignalingTransport } from '../../bot/index.js';
import type { DoctorContext, DoctorOptions } from './types.js';

export const NO_SIGNALING = 'needs signaling (WebSocket or long-poll), which failed above';

/** The mode for the bots, or undefined when neither transport got through. */
export function botSignaling(o: DoctorOptions, ctx: DoctorContext): SignalingMode | undefined {
  // Not checked (--only without signaling): try as the browser does.
  if (!o.only.includes('signaling')) return 'auto';
  if (ctx.websocket) return 'websocket';
  return ctx.longPoll ? 'long-poll' : undefined;
}

/** `; signaling: long-poll (WebSocket blocked)` when the fallback carried the check, else ''. */
export function signalingNote(mode: SignalingMode, used: SignalingTransport | undefined): string {
  if (used !== 'long-poll' && mode !== 'long-poll') return '';
  return `; signaling: long-poll (WebSocket ${mode === 'auto' ? 'did not open' : 'blocked'})`;
}
