/**
 * Signaling for running a class: moderation, lobby, chat (the members of
 * the unions in messages.ts that use these). Sizes are bounded here so a
 * client can never make the server keep or relay more than these limits.
 */
import { z } from 'zod';
import { displayName, id, mediaKind } from './fields.js';

/** Longest chat message, in characters. */
export const MAX_CHAT_TEXT = 1000;
/** Longest meeting subject, in characters. */
export const MAX_SUBJECT = 200;
/** Most room messages kept for late joiners (chat.ts also bounds their total size). */
export const CHAT_HISTORY_LIMIT = 100;

/**
 * What a moderator asks for. Every one of these is refused with `forbidden`
 * for a participant who is not a moderator (decided in the domain,
 * src/conference/permissions.ts). `hard` mutes also stop the participant
 * unmuting until a moderator allows it.
 */
export const moderationRequest = z.discriminatedUnion('action', [
  z.object({ action: z.literal('mute'), participantId: id, kind: mediaKind, hard: z.boolean().default(false) }),
  z.object({ action: z.literal('mute-everyone'), kind: mediaKind, hard: z.boolean().default(false) }),
  z.object({ action: z.literal('allow-unmute'), participantId: id, kind: mediaKind }),
  z.object({ action: z.literal('allow-unmute-everyone'), kind: mediaKind }),
  /**
   * `block`: also refuse this person's identity (token `sub` and `context.user.id`) in this room until the class ends
   * (`blocked_by_moderator`); refused with `participant_not_blockable` when they have none.
   */
  z.object({ action: z.literal('remove'), participantId: id, block: z.boolean().default(false) }),
  z.object({ action: z.literal('grant-moderator'), participantId: id }),
  z.object({ action: z.literal('lower-hand'), participantId: id }),
  z.object({ action: z.literal('lock-room'), locked: z.boolean() }),
  z.object({ action: z.literal('set-lobby'), enabled: z.boolean() }),
  /** `participantId` is the knock id from the `lobby` message. */
  z.object({ action: z.literal('admit'), participantId: id }),
  z.object({ action: z.literal('deny'), participantId: id }),
  z.object({ action: z.literal('end-conference') }),
  /** The meeting's subject, shown to everyone ('' clears it); Jitsi's `subject` command and `config.subject`. */
  z.object({ action: z.literal('set-subject'), subject: z.string().trim().max(MAX_SUBJECT) }),
]);
export type ModerationRequest = z.infer<typeof moderationRequest>;
export type ModerationAction = ModerationRequest['action'];

export const chatMessage = z.object({
  id,
  from: id,
  fromName: displayName,
  /** Set on private messages: the one recipient. */
  to: id.optional(),
  text: z.string().max(MAX_CHAT_TEXT),
  at: z.number(),
});
export type ChatMessage = z.infer<typeof chatMessage>;

export const roomState = z.object({
  /** No new joins (except moderators by token). */
  locked: z.boolean(),
  /** Non-moderators wait in the lobby until a moderator admits them. */
  lobbyEnabled: z.boolean(),
  /** Lecture mode: everyone but moderators is hard-muted for this kind, newcomers included. */
  hardMuted: z.object({ audio: z.boolean(), video: z.boolean() }),
  /** The meeting's subject set by a moderator ('' when none). */
  subject: z.string().max(MAX_SUBJECT).default(''),
});
export type RoomState = z.infer<typeof roomState>;

export const knocker = z.object({ id, displayName, knockedAt: z.number() });
export type Knocker = z.infer<typeof knocker>;
