/**
 * Check 6b: media stalls the server saw in the last hour, from its metrics
 * (`confab_media_stalls_last_hour`): paths that stopped delivering while ICE
 * still said connected. Repaired ones are worth a warning (something on the
 * network drops paths); unrepaired ones failed a participant.
 */
import { describeAnswer, httpGet } from './probe.js';
import type { DoctorOptions, Report } from './types.js';

type Counts = Record<'publish' | 'subscribe', Record<'detected' | 'repaired' | 'failed', number>>;

/** The last-hour stall gauges from a Prometheus text exposition; undefined when the server does not export them. */
export function parseStalls(text: string): Counts | undefined {
  const counts: Counts = { publish: { detected: 0, repaired: 0, failed: 0 }, subscribe: { detected: 0, repaired: 0, failed: 0 } };
  let found = false;
  for (const m of text.matchAll(/^confab_media_stalls_last_hour\{pc="(publish|subscribe)",outcome="(detected|repaired|failed)"\} (\d+)/gm)) {
    counts[m[1] as 'publish'][m[2] as 'detected'] = Number(m[3]);
    found = true;
  }
  return found ? counts : undefined;
}

export async function stallCheck(o: DoctorOptions, report: Report): Promise<void> {
  const path = `${o.url.pathname}metrics`;
  const headers = o.metricsToken ? { authorization: `Bearer ${o.metricsToken}` } : undefined;
  const answer = await httpGet(new URL('metrics', o.url), o.timeoutMs, 'text/plain', headers);
  const counts = answer.ok && answer.status === 200 ? parseStalls(answer.body) : undefined;
  if (!answer.ok || !counts) {
    const why = answer.ok && (answer.status === 401 || answer.status === 403) ? 'the metrics need a token: pass --metrics-token (METRICS_TOKEN)' : 'the server\'s metrics are not reachable here (a separate METRICS_PORT, or an older server)';
    report({ group: 'health', name: 'media-stalls', status: 'skip', evidence: `GET ${path} -> ${describeAnswer(answer)}: ${why}` });
    return;
  }
  const total = (k: 'detected' | 'repaired' | 'failed'): number => counts.publish[k] + counts.subscribe[k];
  const detail = `${total('detected')} detected (${counts.subscribe.detected} receiving, ${counts.publish.detected} sending), ${total('repaired')} repaired, ${total('failed')} not repaired in the last hour`;
  const data = { ...counts };
  if (total('failed') > 0) {
    report({
      group: 'health',
      name: 'media-stalls',
      status: 'fail',
      evidence: detail,
      fix: 'participants lost media that an ICE restart could not bring back (their pages rebuilt their connections): look for `media_stalled` in the server log for who and which path, and check the network between them and the media port (UDP timeouts in a firewall or NAT, a TURN server going away)',
      data,
    });
  } else if (total('detected') > 0) {
    report({ group: 'health', name: 'media-stalls', status: 'warn', evidence: detail, fix: 'media paths died and were repaired by ICE restarts: harmless for the class, but `media_stalled` lines in the server log say which network path keeps dropping', data });
  } else {
    report({ group: 'health', name: 'media-stalls', status: 'pass', evidence: detail, data });
  }
}
