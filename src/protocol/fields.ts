/** Field schemas shared by the signaling messages (messages.ts, class-messages.ts). */
import { z } from 'zod';
import { MAX_DISPLAY_NAME_INPUT, MAX_DISPLAY_NAME_LENGTH, normalizeDisplayName } from './display-name.js';

export const id = z.string().min(1).max(128);
/** A display name as the server sends it: normalised (display-name.ts). */
export const displayName = z.string().max(MAX_DISPLAY_NAME_LENGTH);
/** A display name as a client sends it: normalised on arrival, before anyone sees it. */
export const displayNameInput = z.string().max(MAX_DISPLAY_NAME_INPUT).transform(normalizeDisplayName);
export const mediaKind = z.enum(['audio', 'video']);
export type MediaKind = z.infer<typeof mediaKind>;
/** What a published track carries, so clients can lay it out. */
export const trackSource = z.enum(['microphone', 'camera', 'screen']);
export type TrackSource = z.infer<typeof trackSource>;
export const role = z.enum(['moderator', 'participant']);
export type Role = z.infer<typeof role>;
/**
 * Why a participant left its room, the one list the domain, the signaling
 * protocol (`participant-left`) and the attendance webhooks share:
 * `left`: it hung up; `disconnected`: its connection was lost and did not come
 * back within RESUME_GRACE_S; `removed`: by a moderator, or with its room when
 * the server stopped; `ended`: a moderator ended the class for everyone.
 */
export const leaveReason = z.enum(['left', 'disconnected', 'removed', 'ended']);
export type LeaveReason = z.infer<typeof leaveReason>;
