/**
 * ICE_SERVERS_JSON: extra STUN/TURN servers handed to every browser in the
 * welcome. Checked at start against the page's own schema (`iceServer` in
 * src/protocol/messages.ts): a value the page would refuse would otherwise
 * make every page drop its welcome and hang on "connecting".
 */
import { iceServer, type IceServer } from '../protocol/messages.js';

const shown = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
};

function entryProblem(entry: unknown, index: number): string | undefined {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    return `entry ${index} must be an object like {"urls": "stun:stun.example.org:3478"}, got ${shown(entry)}`;
  }
  if (!('urls' in entry)) {
    const hint = 'url' in entry ? ": the key is 'urls' ('url' is an old name that browsers no longer read)" : '';
    return `entry ${index} has no 'urls'${hint}`;
  }
  const result = iceServer.safeParse(entry);
  if (result.success) return undefined;
  const issue = result.error.issues[0]!;
  const where = issue.path.length > 0 ? `.${issue.path.join('.')}` : '';
  return `entry ${index}${where}: ${issue.message}`;
}

/** The servers, or a message saying what is wrong with each bad entry. */
export function parseIceServers(text: string): { servers: IceServer[] } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { error: `expected a JSON array of RTCIceServer: ${(e as Error).message}` };
  }
  if (!Array.isArray(value)) return { error: 'expected a JSON array of RTCIceServer: not an array' };
  const problems = value.map(entryProblem).filter((p): p is string => p !== undefined);
  if (problems.length > 0) return { error: `not a list of RTCIceServer as browsers take it: ${problems.join('; ')}` };
  return { servers: value as IceServer[] };
}
