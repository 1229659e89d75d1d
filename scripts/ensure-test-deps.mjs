#!/usr/bin/env node
// Finds the Debian packages the tests drive for real (Chromium and Firefox ESR
// for browser tests, iproute2 for the Firefox tests' network namespace, Xvfb
// for the screen Firefox shares, nginx
// as the reverse proxy in proxy tests, kubectl to render the
// Kubernetes manifests, the openssl CLI for test certificates, coturn for the
// TURN relay tests, redis-server for the cluster tests), or installs them when we
// can: root with apt-get, as on CI and fresh Debian machines. Never downloads
// a browser build of its own: Playwright drives the system Chromium.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Any kubectl on PATH will do (Debian's kubernetes-client, or one from another source).
const kubectl =
  process.env.KUBECTL ??
  (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'kubectl')).find((p) => existsSync(p)) ??
  '/usr/bin/kubectl';
const needs = [
  { what: 'Chromium', path: chromium, pkg: 'chromium', fixedByEnv: process.env.CHROMIUM_PATH !== undefined },
  { what: 'Firefox ESR', path: '/usr/bin/firefox-esr', pkg: 'firefox-esr', fixedByEnv: false },
  { what: 'ip (iproute2)', path: '/usr/sbin/ip', pkg: 'iproute2', fixedByEnv: false },
  { what: 'Xvfb', path: '/usr/bin/Xvfb', pkg: 'xvfb', fixedByEnv: false },
  { what: 'libsrtp2 headers (the native SRTP addon)', path: '/usr/include/srtp2/srtp.h', pkg: 'libsrtp2-dev', fixedByEnv: false },
  { what: 'nginx', path: '/usr/sbin/nginx', pkg: 'nginx-light', fixedByEnv: false },
  { what: 'openssl', path: '/usr/bin/openssl', pkg: 'openssl', fixedByEnv: false },
  { what: 'coturn', path: '/usr/bin/turnserver', pkg: 'coturn', fixedByEnv: false },
  { what: 'redis-server', path: '/usr/bin/redis-server', pkg: 'redis-server', fixedByEnv: false },
  { what: 'kubectl', path: kubectl, pkg: 'kubernetes-client', fixedByEnv: process.env.KUBECTL !== undefined },
];
const missing = needs.filter((n) => !existsSync(n.path));
if (missing.length === 0) process.exit(0);

const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get') && !missing.some((n) => n.fixedByEnv);
if (!canInstall) {
  console.error(
    `The tests need: ${missing.map((n) => `${n.what} (${n.path})`).join(', ')}.\n` +
      `  sudo apt-get install -y ${missing.map((n) => n.pkg).join(' ')}\n` +
      `(or set CHROMIUM_PATH to a Chromium binary, KUBECTL to a kubectl).`,
  );
  process.exit(1);
}
const pkgs = missing.map((n) => n.pkg);
console.error(`Installing Debian packages for the tests: ${pkgs.join(' ')} (apt-get)...`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '-qq', ...pkgs], { stdio: 'inherit', env });
for (const n of missing) {
  if (!existsSync(n.path)) {
    console.error(`apt-get installed ${n.pkg} but ${n.path} is still missing`);
    process.exit(1);
  }
}
