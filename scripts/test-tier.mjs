#!/usr/bin/env node
// Runs one test tier, or all three in turn (`npm test`), with node:test and tsx:
//
//   unit  the tests beside the code (src/**/*.test.ts, web/src/**/*.test.ts): pure, no build,
//         no server process, several files at once
//   node  test/node: real servers in-process or as child processes, werift bots, nginx, coturn
//   e2e   test/e2e: headless Chromium against the built server (dist/, rebuilt first if stale);
//         `*.netns.test.ts` files (Firefox) run inside a network namespace (scripts/test-netns.mjs)
//
//   node scripts/test-tier.mjs <unit|node|e2e|all> [node --test options] [files...]
//
// Files given on the command line replace the tier's own list, e.g.
// `npm run test:e2e -- test/e2e/resume.test.ts`. `all` prints each tier's wall time
// and goes on after a failing tier, so one run shows every failure.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canMakeNamespace, inNamespace, NETNS, NETNS_MEDIA_IP, up as namespaceUp } from './test-netns.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

function testsUnder(dir, { recursive }) {
  return readdirSync(join(root, dir), { recursive, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.test.ts'))
    .map((e) => relative(root, join(e.parentPath ?? e.path, e.name)))
    .sort();
}

const TIERS = {
  unit: {
    files: () => [...testsUnder('src', { recursive: true }), ...testsUnder('web/src', { recursive: true })],
    // Pure tests in separate processes: run several at once (each mostly waits for tsx to load).
    concurrency: 4,
    needs: [],
  },
  node: {
    files: () => testsUnder('test/node', { recursive: false }),
    // Servers, media ports and external programs: one file at a time, on a 2-core machine.
    concurrency: 1,
    // The doctor and Dockerfile tests load the built web client.
    needs: ['scripts/ensure-test-deps.mjs', 'scripts/ensure-build.mjs'],
  },
  e2e: {
    files: () => testsUnder('test/e2e', { recursive: false }),
    concurrency: 1,
    needs: ['scripts/ensure-test-deps.mjs', 'scripts/ensure-build.mjs'],
  },
};

function run(command, args, env = process.env) {
  return spawnSync(command, args, { cwd: root, stdio: 'inherit', env }).status ?? 1;
}

/** Firefox gathers no loopback ICE candidates: its tests run in a network namespace of their own. */
const inNetns = (file) => file.endsWith('.netns.test.ts');

/** Runs one tier; returns node --test's exit status. */
function runTier(name, extra) {
  const tier = TIERS[name];
  for (const script of tier.needs) {
    const status = run(process.execPath, [script]);
    if (status !== 0) return status;
  }
  const given = extra.filter((a) => a.endsWith('.ts'));
  const options = extra.filter((a) => !a.endsWith('.ts'));
  const files = given.length > 0 ? given : tier.files();
  const nodeTest = ['--import', 'tsx', '--test', `--test-concurrency=${tier.concurrency}`, ...options];
  const plain = files.filter((f) => !inNetns(f));
  const namespaced = files.filter(inNetns);
  let status = plain.length > 0 ? run(process.execPath, [...nodeTest, ...plain]) : 0;
  if (namespaced.length > 0) {
    if (!canMakeNamespace()) {
      console.log(`\nskipped ${namespaced.length} test file(s) that need a network namespace (${namespaced.join(', ')}): run the tests as root with iproute2 installed`);
    } else {
      namespaceUp();
      // The server binds and advertises the namespace's address; browsers reach it there.
      const env = { ...process.env, CONFAB_TEST_NETNS: NETNS, CONFAB_TEST_MEDIA_IP: NETNS_MEDIA_IP };
      const [command, args] = inNamespace([process.execPath, ...nodeTest, ...namespaced]);
      status = Math.max(status, run(command, args, env));
    }
  }
  return status;
}

const [which = 'all', ...extra] = process.argv.slice(2);
if (which === 'all') {
  const results = [];
  for (const name of Object.keys(TIERS)) {
    const started = Date.now();
    const status = runTier(name, extra);
    results.push({ name, status, seconds: (Date.now() - started) / 1000 });
  }
  console.log('\ntest tiers:');
  for (const r of results) console.log(`  ${r.name.padEnd(5)} ${r.status === 0 ? 'pass' : `FAIL (exit ${r.status})`}  ${r.seconds.toFixed(1)} s`);
  process.exit(results.some((r) => r.status !== 0) ? 1 : 0);
} else if (which in TIERS) {
  process.exit(runTier(which, extra));
} else {
  console.error(`unknown tier '${which}': unit, node, e2e or all`);
  process.exit(2);
}
