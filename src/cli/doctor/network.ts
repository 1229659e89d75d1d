/** Check 1: DNS, TCP and TLS of the public URL's host. */
import { lookup } from 'node:dns/promises';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { describeError } from './probe.js';
import type { DoctorContext, DoctorOptions, Report } from './types.js';

/** A certificate that expires sooner than this is a warning: renewal has failed or is about to. */
const EXPIRY_WARN_DAYS = 14;

const DAY_MS = 86_400_000;
const dayCount = (n: number): string => `${n} day${n === 1 ? '' : 's'}`;

const isLoopback = (host: string): boolean => host === 'localhost' || host.endsWith('.localhost') || /^127\./.test(host) || host === '::1';

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(Object.assign(new Error(`no answer within ${ms} ms`), { name: 'TimeoutError' })), ms).unref())]);
}

/** Connects (plain or TLS); resolves with the socket once connected or the handshake is done. */
function open<S extends Socket>(make: () => S, event: 'connect' | 'secureConnect', timeoutMs: number): Promise<S> {
  return new Promise((resolve, reject) => {
    const socket = make();
    socket.setTimeout(timeoutMs, () => socket.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { name: 'TimeoutError' })));
    socket.once(event, () => {
      socket.setTimeout(0);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

export async function networkChecks(o: DoctorOptions, ctx: DoctorContext, report: Report): Promise<void> {
  const host = o.url.hostname.replace(/^\[|\]$/g, '');
  const https = o.url.protocol === 'https:';
  const port = Number(o.url.port || (https ? 443 : 80));

  let address = host;
  if (isIP(host)) {
    report({ group: 'network', name: 'dns', status: 'pass', evidence: `${host} is an IP address, no lookup needed` });
  } else {
    const started = performance.now();
    try {
      const found = await withTimeout(lookup(host, { all: true }), o.timeoutMs);
      const ms = Math.round(performance.now() - started);
      address = found[0]!.address;
      report({ group: 'network', name: 'dns', status: 'pass', evidence: `${host} -> ${found.map((a) => a.address).join(', ')} in ${ms} ms`, latencyMs: ms, data: { addresses: found.map((a) => a.address) } });
    } catch (error) {
      const reason = describeError(error, o.timeoutMs);
      report({ group: 'network', name: 'dns', status: 'fail', evidence: `${host}: ${reason}`, fix: `create a DNS A/AAAA record for ${host} pointing at the load balancer or ingress controller (or fix the resolver on this machine)` });
      return;
    }
  }

  const started = performance.now();
  try {
    const socket = await open(() => netConnect({ host: address, port }), 'connect', o.timeoutMs);
    socket.destroy();
    const ms = Math.round(performance.now() - started);
    report({ group: 'network', name: 'tcp', status: 'pass', evidence: `connected to ${address}:${port} in ${ms} ms`, latencyMs: ms });
    ctx.reachable = true;
  } catch (error) {
    const reason = describeError(error, o.timeoutMs);
    const fix = reason.startsWith('ECONNREFUSED')
      ? `nothing listens on ${address}:${port}: check the load balancer / ingress controller Service and that it forwards port ${port}`
      : `${address}:${port} does not accept connections from here: a firewall or security group drops them, or the address is not the load balancer's`;
    report({ group: 'network', name: 'tcp', status: 'fail', evidence: `${address}:${port}: ${reason}`, fix });
    return;
  }

  if (!https) {
    if (isLoopback(host)) {
      report({ group: 'network', name: 'tls', status: 'pass', evidence: 'plain http:// on a loopback host: browsers allow camera and microphone there without TLS' });
    } else {
      report({
        group: 'network',
        name: 'tls',
        status: 'fail',
        evidence: `plain http:// to ${host}: browsers allow camera and microphone only on https:// pages (or localhost)`,
        fix: `put TLS in front of Confab (an Ingress with a certificate, e.g. from cert-manager) and set PUBLIC_URL=https://${o.url.host}${o.url.pathname}`,
      });
    }
    return;
  }
  await tlsCheck(o, host, address, port, report);
}

async function tlsCheck(o: DoctorOptions, host: string, address: string, port: number, report: Report): Promise<void> {
  const started = performance.now();
  let socket: TLSSocket;
  try {
    // Not rejecting lets us print what is wrong with the certificate; `authorized` says whether a browser would accept it.
    socket = await open(() => tlsConnect({ host: address, port, servername: isIP(host) ? undefined : host, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] }), 'secureConnect', o.timeoutMs);
  } catch (error) {
    report({ group: 'network', name: 'tls', status: 'fail', evidence: `TLS handshake with ${host}:${port} failed: ${describeError(error, o.timeoutMs)}`, fix: `port ${port} does not speak TLS for ${host}: check the ingress TLS section (secret and hosts) or the proxy's certificate settings` });
    return;
  }
  const ms = Math.round(performance.now() - started);
  const cert = socket.getPeerCertificate();
  const protocol = socket.getProtocol() ?? 'TLS';
  const authorized = socket.authorized;
  const authError = socket.authorizationError ? String(socket.authorizationError) : undefined;
  socket.destroy();
  const validTo = cert.valid_to ? new Date(cert.valid_to) : undefined;
  // Whole days left (floor: 29.9 days is 29), and for an expired certificate whole days since.
  const days = validTo ? Math.floor((validTo.getTime() - Date.now()) / DAY_MS) : undefined;
  const issuer = cert.issuer ? [cert.issuer.O, cert.issuer.CN].filter(Boolean).join(' ') : '?';
  const names = cert.subjectaltname?.replace(/(DNS|IP Address):/g, '') ?? cert.subject?.CN ?? '?';
  const expiry =
    validTo === undefined
      ? 'expires ?'
      : validTo.getTime() < Date.now()
        ? `expired ${validTo.toISOString().slice(0, 10)} (${dayCount(Math.floor((Date.now() - validTo.getTime()) / DAY_MS))} ago)`
        : `expires ${validTo.toISOString().slice(0, 10)} (${dayCount(days!)})`;
  const evidence = `${protocol}, certificate for ${names}, issued by ${issuer}, ${expiry}, in ${ms} ms`;
  const data = { authorized, authorizationError: authError, validTo: validTo?.toISOString(), daysLeft: days, issuer, names };
  if (!authorized) {
    const { problem, fix } = untrusted(authError, host, issuer);
    report({ group: 'network', name: 'tls', status: 'fail', evidence: `${authError ?? 'not trusted'} (${problem}): ${evidence}`, fix, latencyMs: ms, data });
  } else if (days !== undefined && days < EXPIRY_WARN_DAYS) {
    report({ group: 'network', name: 'tls', status: 'warn', evidence, fix: `the certificate expires in ${dayCount(days)}: check that automatic renewal works`, latencyMs: ms, data });
  } else {
    report({ group: 'network', name: 'tls', status: 'pass', evidence, latencyMs: ms, data });
  }
}

/** Why a certificate is refused, in words (Node gives OpenSSL's code only), and what to do about it. */
function untrusted(code: string | undefined, host: string, issuer: string): { problem: string; fix: string } {
  const trustFix =
    `use a certificate from a public CA (e.g. Let's Encrypt with cert-manager or certbot) and serve the full chain (certificate, then intermediates); ` +
    `for a private CA, install it on every participant's device and run the doctor with NODE_EXTRA_CA_CERTS=<ca.pem>`;
  switch (code) {
    case 'CERT_HAS_EXPIRED':
      return { problem: 'the certificate has expired', fix: 'the certificate has expired: renew it (check cert-manager or certbot logs for why renewal failed)' };
    case 'CERT_NOT_YET_VALID':
      return { problem: 'the certificate is not valid yet', fix: "the certificate's start date is in the future: check the clock of this machine, or of whatever issued the certificate" };
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return { problem: `the certificate does not name ${host}`, fix: `the certificate does not name ${host}: issue one for ${host} (the ingress TLS hosts must list it)` };
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return { problem: 'self-signed: no CA vouches for it', fix: `browsers refuse self-signed certificates: ${trustFix}` };
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return { problem: 'the chain ends at a root CA not trusted here (a private CA?)', fix: `browsers refuse it too unless they trust that root CA: ${trustFix}` };
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return {
        problem: `unable to verify: issuer ${issuer} is not trusted here (a private CA, or the intermediate certificates are not sent)`,
        fix: `browsers refuse it too unless they trust ${issuer}: ${trustFix}`,
      };
    default:
      return { problem: 'browsers will refuse it', fix: `browsers will refuse this certificate: ${trustFix}` };
  }
}
