/**
 * Check 3: signaling gets through. The WebSocket upgrade at <base>signaling
 * must answer 101; the long-poll route <base>signaling/lp must reach Confab,
 * which answers an unknown session with its own JSON 404 (`not_found`), so
 * that 404 proves the route while a proxy's 404 page proves it missing.
 */
import { WebSocket } from 'ws';
import { signalingUrl } from '../../bot/index.js';
import { missingRouteFix, prefixRule, upgradeFix } from './fixes.js';
import { confabError, describeAnswer, describeError, excerpt, httpGet, type HttpAnswer, type HttpFailure } from './probe.js';
import type { DoctorContext, DoctorOptions, Report } from './types.js';

/** A WebSocket handshake: 101, or the HTTP answer that refused it. */
type Upgrade = { readonly upgraded: true; readonly ms: number } | { readonly upgraded: false; readonly answer: HttpAnswer | HttpFailure };

function upgrade(url: string, timeoutMs: number): Promise<Upgrade> {
  const started = performance.now();
  const ms = (): number => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { handshakeTimeout: timeoutMs, headers: { 'user-agent': 'confab-doctor' } });
    ws.once('open', () => {
      resolve({ upgraded: true, ms: ms() });
      ws.close(1000);
    });
    ws.once('unexpected-response', (req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('end', () => {
        const body = Buffer.concat(chunks);
        req.destroy();
        const answer: HttpAnswer = { ok: true, status: res.statusCode ?? 0, contentType: res.headers['content-type']?.split(';')[0] ?? '', server: [res.headers.server ?? []].flat()[0], body: body.toString('utf8'), bytes: body.length, ms: ms() };
        resolve({ upgraded: false, answer });
      });
      res.once('error', (error) => resolve({ upgraded: false, answer: { ok: false, error: describeError(error, timeoutMs), ms: ms() } }));
      ws.on('error', () => undefined);
    });
    ws.once('error', (error) => {
      const timedOut = /handshake has timed out/i.test(error.message);
      resolve({ upgraded: false, answer: { ok: false, error: timedOut ? `no answer within ${timeoutMs} ms` : describeError(error, timeoutMs), ms: ms() } });
    });
  });
}

export async function signalingChecks(o: DoctorOptions, ctx: DoctorContext, report: Report): Promise<void> {
  const base = o.url.pathname;
  const path = `${base}signaling`;
  const ws = await upgrade(signalingUrl(o.url.href), o.timeoutMs);
  if (ws.upgraded) {
    ctx.websocket = true;
    report({ group: 'signaling', name: 'websocket', status: 'pass', evidence: `GET ${path} (Upgrade: websocket) -> 101 Switching Protocols in ${ws.ms} ms`, latencyMs: ws.ms, data: { status: 101 } });
  } else {
    const answer = ws.answer;
    let fix: string;
    if (!answer.ok) {
      fix = answer.error.startsWith('no answer')
        ? 'the upgrade got no answer: Confab is not answering (see the page and health checks), or a proxy holds the upgrade (nginx without `proxy_http_version 1.1` and the Upgrade/Connection headers can)'
        : `the WebSocket connection failed (${answer.error}): see the network checks above`;
    } else if (answer.status === 400 || answer.status === 426 || confabError(answer.body)?.error === 'upgrade_required') {
      // Confab answers a plain GET of /signaling with 426: the proxy forwarded the request but dropped Upgrade/Connection.
      fix = upgradeFix();
    } else if (answer.status === 404 && !confabError(answer.body)) {
      fix = `the proxy has no route for ${path} (the WebSocket signaling endpoint): ${prefixRule(base)}`;
    } else {
      fix = missingRouteFix(answer, path, base, o.url.href);
    }
    const evidence = `GET ${path} (Upgrade: websocket) -> ${describeAnswer(answer)}`;
    report({ group: 'signaling', name: 'websocket', status: 'fail', evidence, fix, latencyMs: answer.ms, data: { status: answer.ok ? answer.status : undefined, path } });
  }

  const lpPath = `${base}signaling/lp`;
  const lp = await httpGet(new URL('signaling/lp?sid=doctor-probe', o.url), o.timeoutMs, 'application/json');
  const evidence = `GET ${lpPath}?sid=doctor-probe -> ${describeAnswer(lp)}`;
  if (lp.ok && lp.status === 404 && confabError(lp.body)?.error === 'not_found') {
    ctx.longPoll = true;
    report({ group: 'signaling', name: 'long-poll', status: 'pass', evidence: `${evidence}: Confab's own answer for an unknown session, so the long-poll route reaches Confab`, latencyMs: lp.ms, data: { status: 404 } });
    return;
  }
  const fix = !lp.ok
    ? `the long-poll request failed (${lp.error}): a proxy holds it or Confab is unreachable`
    : lp.status === 404
      ? `the proxy has no route for ${lpPath} (the long-poll signaling fallback): ${prefixRule(base)}`
      : `${lpPath} answered ${lp.status} ${excerpt(lp.body, 40)} instead of Confab's JSON: ${missingRouteFix(lp, lpPath, base, o.url.href)}`;
  report({ group: 'signaling', name: 'long-poll', status: 'fail', evidence, fix, latencyMs: lp.ms, data: { status: lp.ok ? lp.status : undefined, path: lpPath } });
}
