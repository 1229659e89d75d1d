/**
 * The one catalogue of error codes Confab shows to people and programs.
 *
 * Every code has an HTTP status (for HTTP edges), a WebSocket close code (for
 * signaling), and a plain-words message that the web client, the CLI and the
 * logs all print. Codes are stable: clients, dashboards and support threads
 * match on them, so never rename one; add a new one instead.
 */

export interface ErrorSpec {
  /** HTTP status when the error surfaces on an HTTP edge. */
  readonly status: number;
  /** WebSocket close code (4000-4999 is the application range). */
  readonly closeCode: number;
  /** What a person reads, in plain words. */
  readonly message: string;
  /** The client should reconnect on its own (the condition is temporary). */
  readonly retryable?: boolean;
  /** Refuses one request only: sent as a non-fatal error, the connection stays open. */
  readonly requestOnly?: boolean;
}

export const ERRORS = {
  room_name_invalid: {
    status: 400,
    closeCode: 4400,
    message:
      'This room name is not valid. Use 1-64 letters or digits (of any language, one script per name), with dots, dashes or underscores between them, e.g. /maths-101 or /тест.',
  },
  tenant_name_invalid: {
    status: 400,
    closeCode: 4401,
    message: 'The tenant part of the address is not valid. Use letters or digits (of any language, one script per name), with dots, dashes or underscores between them.',
  },
  message_malformed: {
    status: 400,
    closeCode: 4402,
    message: 'The client sent a message the server could not understand.',
  },
  message_too_large: {
    status: 413,
    closeCode: 4413,
    message: 'The client sent a message larger than the server accepts.',
  },
  signaling_too_slow: {
    status: 503,
    closeCode: 4414,
    message: 'The connection fell too far behind the messages of the meeting; reconnecting.',
    retryable: true,
  },
  protocol_version_unsupported: {
    status: 400,
    closeCode: 4406,
    message: 'This page is out of date for the server. Reload the page to get the current version.',
  },
  hello_required: {
    status: 400,
    closeCode: 4407,
    message: 'The client must introduce itself (hello) before anything else.',
  },
  hello_timeout: {
    status: 408,
    closeCode: 4408,
    message: 'The client did not introduce itself in time.',
  },
  room_full: {
    status: 403,
    closeCode: 4429,
    message: 'This room is full.',
  },
  server_not_ready: {
    status: 503,
    closeCode: 4503,
    message: 'The server is not taking new participants right now. Try again in a moment.',
    retryable: true,
  },
  server_shutting_down: {
    status: 503,
    closeCode: 4504,
    message: 'The server is restarting; your page reconnects by itself.',
    retryable: true,
  },
  media_negotiation_failed: {
    status: 500,
    closeCode: 4510,
    message: 'Setting up audio and video with the server failed.',
  },
  media_stalled: {
    status: 503,
    closeCode: 4511,
    message: 'Audio and video stopped getting through and could not be repaired; reconnecting them.',
  },
  media_worker_restarted: {
    status: 503,
    closeCode: 4513,
    message: 'The media server part carrying this class restarted; reconnecting audio and video.',
    retryable: true,
  },
  sdp_invalid: {
    status: 400,
    closeCode: 4512,
    message: 'The audio and video description the client sent is not one the server can use.',
    requestOnly: true,
  },
  not_found: {
    status: 404,
    closeCode: 4404,
    message: 'There is nothing at this address.',
  },
  internal_error: {
    status: 500,
    closeCode: 4500,
    message: 'Something went wrong on the server.',
  },
  // HTTP only (the close codes are never used): requests the routes cannot serve.
  method_not_allowed: {
    status: 405,
    closeCode: 4411,
    message: 'This address does not accept that kind of request.',
  },
  upgrade_required: {
    status: 426,
    closeCode: 4412,
    message: 'This is the WebSocket signaling endpoint: connect to it with a WebSocket.',
  },
  web_client_not_built: {
    status: 503,
    closeCode: 4505,
    message: 'The web client is not built on this server. Run: npm run build.',
  },
  // The REST API (GET /api/rooms...): a Bearer token signed with the app secret, or API_TOKEN.
  api_forbidden: {
    status: 403,
    closeCode: 4480,
    message: 'This token may not use the API: it needs a moderator claim (context.user.moderator, a top-level moderator, or a teacher affiliation).',
  },
  api_token_invalid: {
    status: 401,
    closeCode: 4481,
    message: 'The API token is not valid.',
  },
  api_not_configured: {
    status: 403,
    closeCode: 4482,
    message: 'The API is off on this server: set JWT_APP_SECRET (tokens signed with it) or API_TOKEN.',
  },
  // /metrics with METRICS_TOKEN.
  metrics_token_invalid: {
    status: 401,
    closeCode: 4483,
    message: 'The metrics need a token: send METRICS_TOKEN as a Bearer token.',
  },
  // Token (JWT) admission, when ENABLE_AUTH=1. 401: the token does not prove who sent it;
  // 403: a genuine token that is not for this room, tenant or server. The detail names the
  // values involved (never the secret, never the whole token).
  token_missing: {
    status: 401,
    closeCode: 4460,
    message: 'This meeting needs a sign-in link. Open the link your class platform gave you.',
  },
  token_malformed: {
    status: 401,
    closeCode: 4461,
    message: 'The sign-in token in this link is damaged or incomplete. Ask for a new link.',
  },
  token_signature_invalid: {
    status: 401,
    closeCode: 4462,
    message: 'The sign-in token in this link was not signed with this server\'s key. Ask for a new link.',
  },
  token_algorithm_not_allowed: {
    status: 401,
    closeCode: 4463,
    message: 'The sign-in token in this link uses a signing method this server does not accept.',
  },
  token_expired: {
    status: 401,
    closeCode: 4464,
    message: 'The sign-in link has expired. Go back to your class platform and open the meeting again.',
  },
  token_not_yet_valid: {
    status: 401,
    closeCode: 4465,
    message: 'The sign-in link is not valid yet. Try again closer to the start time.',
  },
  token_issuer_not_accepted: {
    status: 403,
    closeCode: 4466,
    message: 'The sign-in link was issued by an application this server does not accept.',
  },
  token_audience_not_accepted: {
    status: 403,
    closeCode: 4467,
    message: 'The sign-in link is meant for a different service.',
  },
  token_room_mismatch: {
    status: 403,
    closeCode: 4468,
    message: 'The sign-in link is for a different meeting room.',
  },
  token_subject_mismatch: {
    status: 403,
    closeCode: 4469,
    message: 'The sign-in link is for a different site or tenant.',
  },
  token_key_unavailable: {
    status: 401,
    closeCode: 4470,
    message: 'The server could not get the key to check the sign-in link. Try again in a moment.',
  },
  // Running a class: moderation, lobby, chat. The request-only ones refuse one action and keep the
  // connection; the others end this participant's connection with the reason.
  forbidden: {
    status: 403,
    closeCode: 4403,
    message: 'Only a moderator can do that.',
    requestOnly: true,
  },
  participant_not_found: {
    status: 404,
    closeCode: 4405,
    message: 'That participant is no longer in the meeting.',
    requestOnly: true,
  },
  muted_by_moderator: {
    status: 403,
    closeCode: 4409,
    message: 'A moderator muted you. You can unmute when a moderator allows it.',
    requestOnly: true,
  },
  rate_limited: {
    status: 429,
    closeCode: 4410,
    message: 'You are sending messages too fast. Wait a moment and try again.',
    requestOnly: true,
  },
  room_locked: {
    status: 403,
    closeCode: 4423,
    message: 'A moderator has locked this meeting: no one new can join right now.',
  },
  lobby_denied: {
    status: 403,
    closeCode: 4424,
    message: 'A moderator declined your request to join this meeting.',
  },
  removed_by_moderator: {
    status: 403,
    closeCode: 4425,
    message: 'A moderator removed you from this meeting.',
  },
  conference_ended: {
    status: 410,
    closeCode: 4426,
    message: 'A moderator ended this meeting for everyone.',
  },
  blocked_by_moderator: {
    status: 403,
    closeCode: 4427,
    message: 'A moderator removed you from this class and blocked you from joining it again until it ends.',
  },
  participant_not_blockable: {
    status: 409,
    closeCode: 4428,
    message: 'This person joined without a user id in a token, so there is nothing to block them by: remove them, and lock the meeting or turn the lobby on to keep them out.',
    requestOnly: true,
  },
  // Client-side codes: shown by the web client, reported by it, never sent by the server.
  signaling_unreachable: {
    status: 503,
    closeCode: 4520,
    message: 'Cannot reach the conference server. Check your connection; we keep trying.',
  },
  media_connection_failed: {
    status: 503,
    closeCode: 4521,
    message: 'Audio and video could not get through to the server (the network may block it).',
  },
  devices_unavailable: {
    status: 400,
    closeCode: 4522,
    message: 'Your camera or microphone could not be opened. You can still join and see and hear others.',
  },
  // Cluster mode (docs/cluster.md): a notice, sent non-fatal after the welcome; the page shows it.
  class_state_lost: {
    status: 503,
    closeCode: 4530,
    message:
      "This class moved to another server after its server stopped, and what it had could not be carried over: the chat history, raised hands, the lock, lobby and mute settings and who moderates start afresh.",
    requestOnly: true,
  },
  // Cluster mode: the room's host to the edge replica, which then admits the hello by its token
  // instead, as a single server does with a revoked ticket; a page only sees it without a token.
  rejoin_ticket_revoked: {
    status: 403,
    closeCode: 4531,
    message: 'Your way back into this class was withdrawn (a moderator removed you, or ended the class): open the class link again.',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ERRORS, value);
}

/** Whether this error refuses one request only, keeping the connection open. */
export function isRequestOnly(code: ErrorCode): boolean {
  return (ERRORS[code] as ErrorSpec).requestOnly === true;
}

/** Whether a client should reconnect by itself after this error. */
export function isRetryable(code: ErrorCode): boolean {
  return (ERRORS[code] as ErrorSpec).retryable === true;
}

/** Finds the code for a WebSocket close code, if it is one of ours. */
export function errorCodeForClose(closeCode: number): ErrorCode | undefined {
  for (const [code, spec] of Object.entries(ERRORS)) {
    if (spec.closeCode === closeCode) return code as ErrorCode;
  }
  return undefined;
}

/**
 * An error that carries a stable code. `detail` is the specific text (which
 * value, which field); the edge shows `detail` when present, else the
 * catalogue's plain message.
 */
export class ConfabError extends Error {
  readonly code: ErrorCode;
  readonly detail: string | undefined;

  constructor(code: ErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(detail ?? ERRORS[code].message, options);
    this.name = 'ConfabError';
    this.code = code;
    this.detail = detail;
  }

  get spec(): ErrorSpec {
    return ERRORS[this.code];
  }

  toJSON(): { error: ErrorCode; message: string } {
    return { error: this.code, message: this.message };
  }
}
