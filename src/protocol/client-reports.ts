/**
 * What the web client reports about itself (`client-report`): the codes it
 * sends, shared with the server so that the `code` label of
 * `confab_client_reports_total` has a known, bounded set of values. A
 * report may also carry an error-catalogue code (a non-fatal error the
 * server sent, reported back); anything else is counted as `other`
 * (issue 11: any `[a-z_]{1,48}` used to become a label value of its own).
 */
import { isErrorCode, type ErrorCode } from './errors.js';

export const CLIENT_REPORT_CODES = [
  /** What we receive from someone stopped while they are unmuted. */
  'media_stalled',
  'media_negotiation_failed',
  /** Media that had worked failed; the page joins again with new connections. */
  'media_connection_lost',
  /** The signaling connection came back and the session resumed. */
  'signaling_resumed',
  /** The signaling connection came back as a new participant. */
  'signaling_reconnected',
  /** WebSocket blocked: joined over long-polling. */
  'signaling_websocket_failed',
] as const;

export type ClientReportCode = (typeof CLIENT_REPORT_CODES)[number] | ErrorCode;

const KNOWN: ReadonlySet<string> = new Set(CLIENT_REPORT_CODES);

/** The metrics label for a reported code: itself when known, else `other`. */
export function reportLabel(code: string): string {
  return KNOWN.has(code) || isErrorCode(code) ? code : 'other';
}
