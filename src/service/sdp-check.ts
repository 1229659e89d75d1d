/**
 * What a client's SDP must be before the media layer sees it. werift parses
 * anything leniently (issue 11: the text "this is not an SDP" got an empty
 * answer), and the publish offer's `sources` used to name any number of
 * m-lines, real or not. Here an offer or answer is checked for the shape of
 * a WebRTC session description, and refused with `sdp_invalid` (non-fatal:
 * the client may send a good one) when it is not one:
 *
 * - `v=0` first, every line `<letter>=<value>`, an `o=` line;
 * - at least one m-line, each `m=<audio|video|application> <port> <proto> <fmt...>`
 *   with one `a=mid:` of its own, mids unique;
 * - ICE credentials and a DTLS fingerprint;
 * - a publish offer: at most MAX_PUBLISH_TRACKS m-lines, and `sources` naming only its mids;
 *   simulcast (RFC 8853) on video m-lines only, with at most MAX_SIMULCAST_LAYERS rids (RFC 8851
 *   a=rid) each, named as RID_PATTERN says: every rid becomes a layer the server tracks;
 * - a subscribe answer: as many m-lines as the offer it answers.
 */
import { ConfabError } from '../protocol/errors.js';
import { MAX_PUBLISH_TRACKS, MAX_SIMULCAST_LAYERS, RID_PATTERN, type TrackSource } from '../protocol/messages.js';

const LINE = /^[a-z]=/;
const M_LINE = /^m=(audio|video|application) \d+(\/\d+)? [A-Za-z0-9/]+( \S+)+$/;
const MID = /^a=mid:([A-Za-z0-9_.:-]{1,64})$/;

/** The m-sections of a description, by mid. Throws `sdp_invalid` naming the first problem. */
export function sdpMids(sdp: string, what: string): string[] {
  const invalid = (why: string): ConfabError => new ConfabError('sdp_invalid', `the ${what} is not a usable session description: ${why}`);
  const lines = sdp.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines[0] !== 'v=0') throw invalid("it does not start with 'v=0'");
  const bad = lines.findIndex((line) => !LINE.test(line));
  if (bad >= 0) throw invalid(`line ${bad + 1} is not '<type>=<value>'`);
  if (!lines.some((line) => line.startsWith('o='))) throw invalid("it has no 'o=' line");
  const sections: string[][] = [];
  for (const line of lines) {
    if (line.startsWith('m=')) sections.push([line]);
    else sections.at(-1)?.push(line);
  }
  if (sections.length === 0) throw invalid('it has no m-line');
  // Somewhere, not in every section: with BUNDLE (RFC 8843 7.1.3) only the tagged m-section need carry them, and
  // Firefox's bundle-only sections (port 0, a=bundle-only) may not.
  for (const attribute of ['a=ice-ufrag:', 'a=ice-pwd:', 'a=fingerprint:']) {
    if (!lines.some((l) => l.startsWith(attribute))) throw invalid(`'${attribute.slice(2, -1)}' is missing`);
  }
  const mids = sections.map((section, i) => {
    if (!M_LINE.test(section[0]!)) throw invalid(`m-line ${i + 1} is not 'm=<audio|video|application> <port> <proto> <formats>'`);
    const found = section.flatMap((line) => MID.exec(line)?.[1] ?? []);
    if (found.length !== 1) throw invalid(`m-line ${i + 1} has ${found.length} 'a=mid' attributes instead of one`);
    return found[0]!;
  });
  if (new Set(mids).size !== mids.length) throw invalid('two m-lines have the same mid');
  return mids;
}

/** A publish offer: a description with at most MAX_PUBLISH_TRACKS m-lines, whose `sources` name only its mids. */
export function checkPublishOffer(sdp: string, sources: Readonly<Record<string, TrackSource>>): void {
  const mids = sdpMids(sdp, 'publish offer');
  if (mids.length > MAX_PUBLISH_TRACKS) {
    throw new ConfabError('sdp_invalid', `the publish offer has ${mids.length} m-lines; a participant publishes at most ${MAX_PUBLISH_TRACKS}`);
  }
  checkSimulcast(sdp);
  const unknown = Object.keys(sources).filter((mid) => !mids.includes(mid));
  if (unknown.length > 0) {
    throw new ConfabError('sdp_invalid', `the publish offer's sources name mids it does not have: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? '...' : ''}`);
  }
}

/** Simulcast only on video m-lines, at most MAX_SIMULCAST_LAYERS rids each, each a RID_PATTERN name. */
function checkSimulcast(sdp: string): void {
  let kind = '';
  let rids = 0;
  let section = 0;
  const invalid = (why: string): ConfabError => new ConfabError('sdp_invalid', `the publish offer's m-line ${section} ${why}`);
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith('m=')) {
      kind = line.slice(2, line.indexOf(' '));
      rids = 0;
      section++;
      continue;
    }
    if (!line.startsWith('a=rid:')) continue;
    const name = line.slice('a=rid:'.length).split(' ')[0] ?? '';
    if (kind !== 'video') throw invalid(`(${kind}) has a=rid: simulcast is for video only`);
    if (!RID_PATTERN.test(name)) throw invalid(`has a rid '${name.slice(0, 20)}' that is not 1-16 letters, digits, '-' or '_'`);
    if (++rids > MAX_SIMULCAST_LAYERS) throw invalid(`has more than ${MAX_SIMULCAST_LAYERS} simulcast layers (a=rid)`);
  }
}

/** A subscribe answer: a description with as many m-lines as the offer it answers (`offered`, when one was made). */
export function checkSubscribeAnswer(sdp: string, offered: number | undefined): void {
  const mids = sdpMids(sdp, 'subscribe answer');
  if (offered !== undefined && mids.length !== offered) {
    throw new ConfabError('sdp_invalid', `the subscribe answer has ${mids.length} m-lines for an offer of ${offered}`);
  }
}

/** The number of m-lines in a description we made. */
export function countMLines(sdp: string): number {
  return sdp.split(/\r?\n/).filter((line) => line.startsWith('m=')).length;
}
