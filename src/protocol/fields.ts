/** Field schemas shared by the signaling messages (messages.ts, class-messages.ts). */
import { z } from 'zod';

export const id = z.string().min(1).max(128);
export const displayName = z.string().trim().max(80);
export const mediaKind = z.enum(['audio', 'video']);
export type MediaKind = z.infer<typeof mediaKind>;
/** What a published track carries, so clients can lay it out. */
export const trackSource = z.enum(['microphone', 'camera', 'screen']);
export type TrackSource = z.infer<typeof trackSource>;
export const role = z.enum(['moderator', 'participant']);
export type Role = z.infer<typeof role>;
