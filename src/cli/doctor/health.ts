/** Check 6: server health from <base>readyz: ready, version, rooms and participants now; then media stalls (stalls.ts). */
import { VERSION } from '../../server/version.js';
import { missingRouteFix } from './fixes.js';
import { describeAnswer, httpGet } from './probe.js';
import { stallCheck } from './stalls.js';
import type { DoctorContext, DoctorOptions, Report } from './types.js';

interface Readyz {
  ready?: boolean;
  version?: string;
  rooms?: number;
  participants?: number;
}

function parse(body: string): Readyz | undefined {
  try {
    const json = JSON.parse(body) as unknown;
    return typeof json === 'object' && json !== null && 'ready' in json ? (json as Readyz) : undefined;
  } catch {
    return undefined;
  }
}

export async function healthChecks(o: DoctorOptions, ctx: DoctorContext, report: Report): Promise<void> {
  const path = `${o.url.pathname}readyz`;
  if (!ctx.reachable) {
    report({ group: 'health', name: 'health', status: 'skip', evidence: 'the host is not reachable (see the network checks)' });
    return;
  }
  const answer = await httpGet(new URL('readyz', o.url), o.timeoutMs, 'application/json');
  const body = answer.ok ? parse(answer.body) : undefined;
  if (!answer.ok || !body) {
    const fix = answer.ok ? missingRouteFix(answer, path, o.url.pathname, o.url.href) : `the health request failed (${answer.error})`;
    report({ group: 'health', name: 'health', status: 'fail', evidence: `GET ${path} -> ${describeAnswer(answer)}`, fix, latencyMs: answer.ms, data: { status: answer.ok ? answer.status : undefined } });
    return;
  }
  const now = `${body.rooms ?? '?'} room${body.rooms === 1 ? '' : 's'} and ${body.participants ?? '?'} participant${body.participants === 1 ? '' : 's'} now`;
  // A different version is worth knowing (protocol or checks may differ), not a fault.
  const versions = body.version === VERSION ? `version ${body.version}` : `version ${body.version ?? '?'} (this doctor is ${VERSION})`;
  const data = { status: answer.status, ready: body.ready, version: body.version, rooms: body.rooms, participants: body.participants };
  if (answer.status !== 200 || body.ready !== true) {
    report({ group: 'health', name: 'health', status: 'fail', evidence: `GET ${path} -> ${answer.status} not ready, ${versions}, ${now}, in ${answer.ms} ms`, fix: 'the server is starting or shutting down (or stuck): check its log and that the readiness probe targets /readyz under the base path', latencyMs: answer.ms, data });
    return;
  }
  report({ group: 'health', name: 'health', status: 'pass', evidence: `GET ${path} -> 200 ready, ${versions}, ${now}, in ${answer.ms} ms`, latencyMs: answer.ms, data });
  await stallCheck(o, report);
}
