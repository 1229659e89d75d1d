#!/usr/bin/env node
// The network namespace the Firefox browser tests run in, with its own test
// addresses and a default route inside it (nothing leaves it):
//   veth0 10.77.0.1/24 <-> veth1 10.77.0.2/24, default route via 10.77.0.2.
// Firefox gathers no loopback ICE candidates, and none at all without a
// default route, so on plain loopback it cannot reach the SFU.
//
//   node scripts/test-netns.mjs up      create it (or keep the one there)
//   node scripts/test-netns.mjs down    remove it
//   node scripts/test-netns.mjs check   exit 0 when it can be made here (root and `ip`)
//
// Creating a namespace needs root (CI and `npm test` as root do); elsewhere
// the Firefox tests are skipped with a message saying so.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const NETNS = 'confab-t';
/** The address the SFU binds and advertises inside the namespace. */
export const NETNS_MEDIA_IP = '10.77.0.1';

const IP = ['/usr/sbin/ip', '/sbin/ip', '/bin/ip'].find((p) => existsSync(p));

export function canMakeNamespace() {
  return process.getuid?.() === 0 && IP !== undefined;
}

function exists() {
  return spawnSync(IP, ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').some((l) => l.split(' ')[0] === NETNS);
}

export function up() {
  if (exists()) return;
  execFileSync(IP, ['netns', 'add', NETNS]);
  const inNs = (...args) => execFileSync(IP, ['netns', 'exec', NETNS, IP, ...args]);
  inNs('link', 'set', 'lo', 'up');
  inNs('link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth1');
  inNs('addr', 'add', `${NETNS_MEDIA_IP}/24`, 'dev', 'veth0');
  inNs('addr', 'add', '10.77.0.2/24', 'dev', 'veth1');
  inNs('link', 'set', 'veth0', 'up');
  inNs('link', 'set', 'veth1', 'up');
  inNs('route', 'add', 'default', 'via', '10.77.0.2', 'dev', 'veth0');
}

export function down() {
  if (exists()) execFileSync(IP, ['netns', 'del', NETNS]);
}

/** The command line that runs `argv` inside the namespace. */
export function inNamespace(argv) {
  return [IP, ['netns', 'exec', NETNS, ...argv]];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const action = process.argv[2];
  if (action === 'check') process.exit(canMakeNamespace() ? 0 : 1);
  if (!canMakeNamespace()) {
    console.error('test-netns: creating a network namespace needs root and iproute2');
    process.exit(1);
  }
  if (action === 'up') up();
  else if (action === 'down') down();
  else {
    console.error('usage: node scripts/test-netns.mjs up|down|check');
    process.exit(2);
  }
}
