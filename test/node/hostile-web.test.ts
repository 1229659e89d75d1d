/**
 * The HTTP edge against what issue 11 found: pages without a
 * Content-Security-Policy, `frame-ancestors` or Referrer-Policy; `/metrics`
 * public through the one Ingress rule; `%61pi` opening tenant `api`; a
 * token with `=` appended accepted. Each as a client sees it: status codes,
 * error codes, headers. (That the CSP does not break the page is
 * test/e2e/web-hardening.test.ts's, in Chromium.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stallCheck } from '../../src/cli/doctor/stalls.js';
import type { CheckResult, DoctorOptions } from '../../src/cli/doctor/types.js';
import { ERRORS } from '../../src/protocol/errors.js';
import { nowS, signJwt } from '../support/jwt.js';
import { startServer } from '../support/server.js';

const json = { accept: 'application/json' };

test('pages carry a CSP (frame-ancestors from ALLOWED_EMBED_ORIGINS) and Referrer-Policy: no-referrer', { timeout: 30_000 }, async () => {
  const open = await startServer();
  const restricted = await startServer({ ALLOWED_EMBED_ORIGINS: 'https://lms.example.com, https://*.school.example' });
  try {
    for (const path of ['maths-101', '', 'Not a room!']) {
      const res = await fetch(`${open.url}${path}`);
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /(^|; )script-src 'self'(;|$)/, path);
      assert.match(csp, /(^|; )connect-src 'self'(;|$)/);
      assert.match(csp, /(^|; )object-src 'none'(;|$)/);
      assert.match(csp, /(^|; )frame-ancestors \*(;|$)/, 'any page may embed, as in Jitsi');
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    }
    const page = await fetch(`${restricted.url}maths-101`);
    assert.match(page.headers.get('content-security-policy') ?? '', /frame-ancestors https:\/\/lms\.example\.com https:\/\/\*\.school\.example(;|$)/);
  } finally {
    await open.stop();
    await restricted.stop();
  }
});

test('/metrics behind METRICS_TOKEN, or on METRICS_PORT only; confab doctor still reads it with the token', { timeout: 30_000 }, async () => {
  const TOKEN = 'metrics-token-0123456789abcdef0123456789';
  const tokened = await startServer({ METRICS_TOKEN: TOKEN });
  const separate = await startServer({ METRICS_PORT: '0', METRICS_TOKEN: TOKEN });
  try {
    const none = await fetch(`${tokened.url}metrics`, { headers: json });
    assert.equal(none.status, 401);
    assert.equal(((await none.json()) as { error: string }).error, 'metrics_token_invalid');
    assert.equal((await fetch(`${tokened.url}metrics`, { headers: { authorization: 'Bearer nope' } })).status, ERRORS.metrics_token_invalid.status);
    const ok = await fetch(`${tokened.url}metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), /^confab_participants /m);

    const lines: CheckResult[] = [];
    const options = { url: new URL(tokened.url), timeoutMs: 5000, metricsToken: TOKEN } as DoctorOptions;
    await stallCheck(options, (line) => lines.push(line));
    assert.equal(lines[0]?.status, 'pass', JSON.stringify(lines));

    const main = await fetch(`${separate.url}metrics`, { headers: { ...json, authorization: `Bearer ${TOKEN}` } });
    assert.equal(main.status, 404, 'not on the HTTP port (the one the Ingress exposes)');
    const port = separate.server.metricsPort;
    assert.ok(port);
    assert.equal((await fetch(`http://127.0.0.1:${port}/metrics`)).status, 401);
    const scraped = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(scraped.status, 200);
    const text = await scraped.text();
    assert.match(text, /^confab_media_port_dropped_total\{reason="bad_integrity"\} 0$/m, 'the media port refusals are counted');
    assert.match(text, /^confab_media_tcp_closed_total\{reason="unrouted_timeout"\} 0$/m);
    assert.equal((await fetch(`http://127.0.0.1:${port}/maths-101`)).status, 404, 'the metrics port serves nothing else');
  } finally {
    await tokened.stop();
    await separate.stop();
  }
});

test('a reserved name percent-encoded is still reserved; a token with "=" appended is malformed', { timeout: 30_000 }, async () => {
  const SECRET = 'web-test-app-secret-0123456789abcdef01';
  const server = await startServer({ ENABLE_AUTH: '1', JWT_APP_ID: 'platform', JWT_APP_SECRET: SECRET });
  try {
    for (const path of ['%61pi/x', '%41PI/rooms', 'metric%73/x']) {
      const res = await fetch(`${server.url}${path}`, { headers: json });
      assert.equal(res.status, 400, path);
      assert.equal(((await res.json()) as { error: string }).error, 'tenant_name_invalid', path);
    }
    const token = signJwt({ iss: 'platform', aud: 'jitsi', room: '*', exp: nowS() + 600 }, { secret: SECRET });
    assert.equal((await fetch(`${server.url}maths-101?jwt=${token}`, { headers: json })).status, 200);
    const padded = await fetch(`${server.url}maths-101?jwt=${token}=`, { headers: json });
    assert.equal(padded.status, 401);
    assert.equal(((await padded.json()) as { error: string }).error, 'token_malformed');
  } finally {
    await server.stop();
  }
});
