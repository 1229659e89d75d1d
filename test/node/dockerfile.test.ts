/**
 * The Dockerfile, without a Docker engine: its structure (multi-stage,
 * non-root, healthcheck, exposed ports matching the configuration's
 * defaults) and that everything it copies exists and reaches the build
 * context. `npm test` builds first, so dist/ is what the build stage makes.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import { dockerIgnored, parseCopy, parseDockerfile, type Stage } from '../support/dockerfile.js';

const root = join(import.meta.dirname, '..', '..');
const stages = parseDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8'));
const ignore = readFileSync(join(root, '.dockerignore'), 'utf8');
const runtime = stages.at(-1)!;
const all = (stage: Stage, keyword: string): string[] => stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);

test('multi-stage: a named build stage, and a Node 22 LTS slim runtime', () => {
  assert.ok(stages.length >= 2, `${stages.length} stage(s)`);
  for (const stage of stages) assert.ok(stage.name, `every stage is named (${stage.image})`);
  assert.match(runtime.image, /^node:22[.\w-]*-slim$/, 'runtime on a slim Node 22 (LTS) image');
  for (const stage of stages) assert.match(stage.image, /^node:22/, `${stage.name} on Node 22 (Node 20 is past its end of life)`);
  assert.ok(all(stages[0]!, 'RUN').some((r) => r.includes('npm run build')), 'the build stage builds');
});

test('the runtime installs production dependencies only, without running our build', () => {
  const install = all(runtime, 'RUN').find((r) => r.includes('npm ci'));
  assert.ok(install, 'npm ci in the runtime stage');
  assert.match(install, /--omit=dev/);
  assert.match(install, /--ignore-scripts/, '`npm ci` would run `prepare` (the build) without dev tools');
  assert.ok(!all(runtime, 'RUN').some((r) => r.includes('npm run build')));
});

test('runs as a non-root user', () => {
  const users = all(runtime, 'USER');
  assert.ok(users.length > 0, 'a USER in the runtime stage');
  const user = users.at(-1)!.split(':')[0]!;
  assert.ok(!['root', '0'].includes(user), `USER ${user}`);
});

test('HEALTHCHECK asks /healthz with node (slim images have no curl)', () => {
  const [check, ...more] = all(runtime, 'HEALTHCHECK');
  assert.ok(check && more.length === 0, 'one HEALTHCHECK');
  assert.match(check, /CMD \["node",/);
  assert.match(check, /healthz/);
  assert.match(check, /PUBLIC_URL/, 'the check follows the base path');
  assert.doesNotMatch(check, /curl|wget/);
});

test('EXPOSE: the HTTP port, and MEDIA_UDP_PORT+i/udp and MEDIA_TCP_PORT+i/tcp for each media worker of the Kubernetes base, as the configuration defaults them', () => {
  // The worker count the default manifests set (deploy/kubernetes/base: one UDP and one TCP port per worker).
  const base = readFileSync(join(root, 'deploy', 'kubernetes', 'base', 'kustomization.yaml'), 'utf8');
  const workers = Number(/^\s*-\s*MEDIA_WORKERS=(\d+)\s*$/m.exec(base)?.[1]);
  assert.ok(workers >= 1, 'deploy/kubernetes/base sets MEDIA_WORKERS');
  const defaults = loadConfig({ MEDIA_WORKERS: String(workers) });
  // `10000-10001/udp` is a range: every port in it.
  const exposed = new Set(
    all(runtime, 'EXPOSE')
      .flatMap((e) => e.split(/\s+/))
      .flatMap((p) => {
        const [ports = '', protocol = 'tcp'] = p.split('/');
        const [first, last = first] = ports.split('-').map(Number) as [number, number?];
        return Array.from({ length: last - first + 1 }, (_, i) => `${first + i}/${protocol}`);
      }),
  );
  const media = Array.from({ length: workers }, (_, i) => [`${defaults.media.udpPort + i}/udp`, `${defaults.media.tcpPort! + i}/tcp`]).flat();
  assert.deepEqual(exposed, new Set([`${defaults.httpPort}/tcp`, ...media]));
});

test('the process is the confab CLI serving, and SIGTERM stops it (the drain)', () => {
  const entry = [...all(runtime, 'ENTRYPOINT'), ...all(runtime, 'CMD')].join(' ');
  assert.match(entry, /"node", ("--[^"]+", )*"bin\/confab\.js"/);
  // The same V8 options as `npm start` (package.json), which the benchmark measures.
  const startFlags = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start.split(/\s+/).filter((t) => t.startsWith('--'));
  assert.deepEqual([...entry.matchAll(/"(--[^"]+)"/g)].map((m) => m[1]), startFlags);
  assert.match(entry, /"serve"/);
  const signal = all(runtime, 'STOPSIGNAL').at(-1) ?? 'SIGTERM';
  assert.equal(signal, 'SIGTERM');
});

test('every file COPY takes exists, is in the build context, and --from names an earlier stage', () => {
  let copies = 0;
  stages.forEach((stage, index) => {
    const workdir = all(stage, 'WORKDIR').at(0) ?? '/';
    for (const args of all(stage, 'COPY')) {
      const { from, sources } = parseCopy(args);
      copies++;
      if (from === undefined) {
        for (const source of sources) {
          assert.ok(existsSync(join(root, source)), `COPY ${source}: missing from the repository`);
          assert.ok(!dockerIgnored(source, ignore), `COPY ${source}: excluded by .dockerignore`);
        }
        continue;
      }
      const producer = stages.findIndex((s) => s.name === from);
      assert.ok(producer >= 0 && producer < index, `COPY --from=${from}: no earlier stage of that name`);
      // What the build stage made there is what `npm run build` made here (npm test builds first).
      const producerDir = all(stages[producer]!, 'WORKDIR').at(0) ?? '/';
      for (const source of sources) {
        assert.ok(source.startsWith(`${producerDir}/`), `COPY --from=${from} ${source}: outside the stage's WORKDIR ${producerDir}`);
        const local = join(root, source.slice(producerDir.length + 1));
        assert.ok(existsSync(local), `COPY --from=${from} ${source}: the build does not produce ${local}`);
      }
    }
    assert.ok(workdir.startsWith('/'));
  });
  assert.ok(copies >= 4);
  // The runtime starts bin/confab.js, which loads the compiled CLI that the build stage copies over.
  assert.match(readFileSync(join(root, 'bin', 'confab.js'), 'utf8'), /dist\/src\/cli\/main\.js/);
  assert.ok(existsSync(join(root, 'dist', 'web', 'index.html')), 'the web client is built into dist/web');
});

test('the image applies the werift patches and carries the libsrtp addon with its shared library', () => {
  const runs = all(runtime, 'RUN').join('\n');
  assert.match(runs, /patch-package/, 'patch-package in the runtime stage (npm ci --ignore-scripts skips postinstall)');
  assert.match(runs, /libsrtp2-1/, 'libsrtp2 for the addon');
  assert.ok(all(runtime, 'COPY').some((c) => c.includes('confab_srtp.node')), 'the addon is copied from the build stage');
  assert.ok(all(stages[0]!, 'RUN').some((r) => r.includes('libsrtp2-dev')), 'the build stage has the headers to build it');
});

test('.dockerignore keeps local builds, dependencies and secrets out of the context', () => {
  for (const path of ['node_modules', 'dist', '.git', '.env', 'prod.env', 'test/node/x.ts']) assert.ok(dockerIgnored(path, ignore), path);
  for (const path of ['src/cli/main.ts', 'package.json', 'web/index.html']) assert.ok(!dockerIgnored(path, ignore), path);
});
