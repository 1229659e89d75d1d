/**
 * `confab doctor`'s TLS check against Debian's nginx terminating TLS on
 * loopback in front of a real Confab server, with certificates made by the
 * `openssl` CLI under a throw-away CA (test/support/certs.ts). The doctor runs
 * as a child process, as an operator runs it, so NODE_EXTRA_CA_CERTS (read
 * only at process start) decides whether it trusts that CA:
 * - trusted, for localhost and 127.0.0.1, valid 30 days: PASS with the names
 *   and the days left, and the page, assets, WebSocket and long-poll really
 *   work through nginx over TLS;
 * - the CA not trusted: FAIL naming the unverifiable issuer, with the fix;
 * - a certificate for other.example served for localhost: FAIL naming the mismatch;
 * - expired yesterday (openssl ca -startdate/-enddate): FAIL, renew it;
 * - valid 5 more days: WARN (under 14 days), exit 1.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createTestCa, type IssuedCert, type TestCa } from '../support/certs.js';
import { runDoctor } from '../support/doctor.js';
import { freePort, proxyLocation, startNginx, type RunningNginx } from '../support/nginx.js';
import { startServer, type TestServer } from '../support/server.js';

type Check = { name: string; status: string; evidence: string; fix?: string; data?: Record<string, unknown> };
type JsonReport = { result: string; exitCode: number; checks: Check[] };

/** Whether [::1] can be listened on: then nginx listens there too, for hosts where localhost resolves to ::1 first. */
function canListenOn(host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(0, host, () => srv.close(() => resolve(true)));
  });
}

describe('confab doctor: TLS through nginx with certificates from a test CA', { timeout: 120_000 }, () => {
  let ca: TestCa;
  let server: TestServer;
  const proxies: RunningNginx[] = [];
  /** https://localhost:<port>/jitsi/ of an nginx serving each certificate. */
  const urls: Record<'good' | 'otherName' | 'expired' | 'expiresSoon', string> = { good: '', otherName: '', expired: '', expiresSoon: '' };
  let goodProxy: RunningNginx;
  let trustCa: NodeJS.ProcessEnv;
  /** No inherited NODE_EXTRA_CA_CERTS: only the system's CAs. */
  const systemCasOnly: NodeJS.ProcessEnv = { NODE_EXTRA_CA_CERTS: undefined };

  const doctorJson = async (url: string, only: string, env: NodeJS.ProcessEnv): Promise<{ code: number; report: JsonReport; check: (name: string) => Check; stdout: string }> => {
    const run = await runDoctor([url, '--only', only, '--json', '--timeout', '5s'], env);
    const report = JSON.parse(run.stdout) as JsonReport;
    const check = (name: string): Check => report.checks.find((c) => c.name === name) ?? assert.fail(`no '${name}' check in ${run.stdout}`);
    return { code: run.code, report, check, stdout: run.stdout };
  };

  before(async () => {
    ca = createTestCa('Confab test CA');
    trustCa = { NODE_EXTRA_CA_CERTS: ca.caCertificate };
    // Valid from an hour ago, so a little clock skew does not matter.
    const now = -1 / 24;
    const certs: Record<keyof typeof urls, IssuedCert> = {
      good: ca.issue('good', ['DNS:localhost', 'IP:127.0.0.1'], { fromDays: now, toDays: 30 }),
      otherName: ca.issue('other-name', ['DNS:other.example'], { fromDays: now, toDays: 30 }),
      expired: ca.issue('expired', ['DNS:localhost', 'IP:127.0.0.1'], { fromDays: -10, toDays: -1 }),
      expiresSoon: ca.issue('expires-soon', ['DNS:localhost', 'IP:127.0.0.1'], { fromDays: now, toDays: 5 }),
    };
    const goodPort = await freePort();
    server = await startServer({ PUBLIC_URL: `https://localhost:${goodPort}/jitsi/` });
    const ipv6Loopback = await canListenOn('::1');
    // One prefix rule with the WebSocket upgrade headers and HTTP/1.1 to Confab, as docs/deploy.md says.
    const locations = proxyLocation('/jitsi/', 'UPSTREAM', true);
    for (const name of Object.keys(urls) as (keyof typeof urls)[]) {
      const nginx = await startNginx({ upstreamPort: server.port, locations, tls: certs[name], ipv6Loopback }, name === 'good' ? goodPort : undefined);
      proxies.push(nginx);
      if (name === 'good') goodProxy = nginx;
      urls[name] = `https://localhost:${nginx.port}/jitsi/`;
    }
  });
  after(async () => {
    for (const nginx of proxies) await nginx.stop();
    await server?.stop();
    ca?.remove();
  });

  test('CA trusted (NODE_EXTRA_CA_CERTS), certificate for localhost and 127.0.0.1 valid 30 days: TLS passes with names and days left; page and WebSocket work through nginx over TLS', async () => {
    const { code, report, check, stdout } = await doctorJson(urls.good, 'network,web,signaling', trustCa);
    assert.equal(code, 0, stdout);
    assert.equal(report.exitCode, 0);
    assert.deepEqual(report.checks.map((c) => [c.name, c.status]), [
      ['dns', 'pass'],
      ['tcp', 'pass'],
      ['tls', 'pass'],
      ['page', 'pass'],
      ['assets', 'pass'],
      ['websocket', 'pass'],
      ['long-poll', 'pass'],
    ], stdout);
    const tls = check('tls');
    assert.match(tls.evidence, /^TLSv1\.[23], certificate for localhost, 127\.0\.0\.1, issued by Confab tests Confab test CA, expires \d{4}-\d\d-\d\d \((29|30) days\), in \d+ ms$/);
    assert.equal(tls.data?.authorized, true);
    assert.equal(tls.data?.authorizationError, undefined);
    assert.equal(tls.data?.names, 'localhost, 127.0.0.1');
    assert.ok([29, 30].includes(tls.data?.daysLeft as number), JSON.stringify(tls.data));
    assert.match(check('websocket').evidence, /-> 101 Switching Protocols/);
    // The doctor's requests went through nginx's TLS port (it listens on nothing else): the page, and the upgrade to 101.
    const log = goodProxy.accessLog();
    assert.match(log, /"GET \/jitsi\/ HTTP\/1\.1" 200 .*"confab-doctor"/);
    assert.match(log, /"GET \/jitsi\/signaling HTTP\/1\.1" 101 .*"confab-doctor"/);

    // By IP address: no SNI, and the certificate's IP entry is what is checked.
    const byIp = await doctorJson(urls.good.replace('localhost', '127.0.0.1'), 'network', trustCa);
    assert.equal(byIp.code, 0, byIp.stdout);
    assert.equal(byIp.check('tls').status, 'pass', byIp.stdout);
  });

  test('CA not trusted: TLS fails naming the unverifiable issuer, with the fix; the page and signaling fail on the same certificate; exit 1', async () => {
    const run = await runDoctor([urls.good, '--only', 'network,web,signaling', '--timeout', '5s'], systemCasOnly);
    assert.equal(run.code, 1, run.stdout);
    assert.match(run.line('tcp'), /^ {2}PASS /);
    assert.match(
      run.line('tls'),
      /^ {2}FAIL {2}tls +(UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY) \(unable to verify: issuer Confab tests Confab test CA is not trusted here \(a private CA, or the intermediate certificates are not sent\)\): TLSv1\.[23], certificate for localhost, 127\.0\.0\.1, issued by Confab tests Confab test CA, expires \d{4}-\d\d-\d\d \((29|30) days\), in \d+ ms; fix: browsers refuse it too unless they trust Confab tests Confab test CA: use a certificate from a public CA .*serve the full chain .*; for a private CA, install it on every participant's device and run the doctor with NODE_EXTRA_CA_CERTS=<ca\.pem>$/,
    );
    assert.match(run.line('page'), /^ {2}FAIL {2}page +GET \/jitsi\/ -> (UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY).*; fix: the page did not load: see the network checks above$/);
    assert.match(run.line('websocket'), /^ {2}FAIL {2}websocket +.*(UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)/);
    assert.match(run.lines.at(-1)!, /^result: FAIL: tls, page, websocket, long-poll /);
  });

  test('certificate for other.example served for localhost: TLS fails naming the mismatch', async () => {
    const { code, check, stdout } = await doctorJson(urls.otherName, 'network', trustCa);
    assert.equal(code, 1, stdout);
    const tls = check('tls');
    assert.equal(tls.status, 'fail', stdout);
    assert.equal(tls.data?.authorizationError, 'ERR_TLS_CERT_ALTNAME_INVALID');
    assert.equal(tls.data?.names, 'other.example');
    assert.match(tls.evidence, /^ERR_TLS_CERT_ALTNAME_INVALID \(the certificate does not name localhost\): TLSv1\.[23], certificate for other\.example, issued by Confab tests Confab test CA, /);
    assert.equal(tls.fix, 'the certificate does not name localhost: issue one for localhost (the ingress TLS hosts must list it)');
  });

  test('certificate expired yesterday: TLS fails, says when it expired, and to renew it', async () => {
    const { code, check, stdout } = await doctorJson(urls.expired, 'network', trustCa);
    assert.equal(code, 1, stdout);
    const tls = check('tls');
    assert.equal(tls.status, 'fail', stdout);
    assert.equal(tls.data?.authorizationError, 'CERT_HAS_EXPIRED');
    assert.ok((tls.data?.daysLeft as number) < 0, JSON.stringify(tls.data));
    assert.match(tls.evidence, /^CERT_HAS_EXPIRED \(the certificate has expired\): TLSv1\.[23], certificate for localhost, 127\.0\.0\.1, .*, expired \d{4}-\d\d-\d\d \(1 day ago\), in \d+ ms$/);
    assert.match(tls.fix ?? '', /^the certificate has expired: renew it /);
  });

  test('certificate valid 5 more days: TLS warns (under 14 days) and the exit code is 1', async () => {
    const { code, report, check, stdout } = await doctorJson(urls.expiresSoon, 'network', trustCa);
    assert.equal(code, 1, stdout);
    assert.equal(report.result, 'fail');
    const tls = check('tls');
    assert.equal(tls.status, 'warn', stdout);
    assert.equal(tls.data?.authorized, true);
    assert.match(tls.evidence, /, expires \d{4}-\d\d-\d\d \([45] days\), in \d+ ms$/);
    assert.match(tls.fix ?? '', /^the certificate expires in [45] days: check that automatic renewal works$/);
  });
});
