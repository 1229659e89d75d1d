#!/usr/bin/env node
// Makes sure dist/ was built from the sources as they are now. The browser
// tests spawn dist/src/cli/main.js and load the client from dist/web, and the
// node tests serve dist/web too: testing a build older than src/ or web/ would
// test stale code without saying so. When any source file is newer than the
// build, this runs `npm run build` (a few seconds) and says why.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** What the build writes last or in full every time (tsc and vite rewrite all their outputs). */
const OUTPUTS = ['dist/src/cli/main.js', 'dist/web/index.html', 'dist/web/external_api.js'];
/** What the build reads: the server and client sources (tests aside) and the build settings. */
const INPUT_DIRS = ['src', 'web'];
const INPUT_FILES = ['tsconfig.json', 'web/tsconfig.json', 'web/vite.config.ts', 'web/vite.external-api.config.ts', 'package.json'];

function mtime(path) {
  try {
    return statSync(join(root, path)).mtimeMs;
  } catch {
    return undefined;
  }
}

/** The newest input file and its time. */
function newestInput() {
  let newest = { path: '', at: 0 };
  const consider = (path) => {
    const at = mtime(path);
    if (at !== undefined && at > newest.at) newest = { path, at };
  };
  for (const dir of INPUT_DIRS) {
    for (const entry of readdirSync(join(root, dir), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || entry.name.endsWith('.test.ts')) continue;
      consider(relative(root, join(entry.parentPath ?? entry.path, entry.name)));
    }
  }
  INPUT_FILES.forEach(consider);
  return newest;
}

/** Why dist/ must be rebuilt, or undefined when it is up to date. */
export function staleReason() {
  const built = OUTPUTS.map((path) => ({ path, at: mtime(path) }));
  const missing = built.find((b) => b.at === undefined);
  if (missing) return `${missing.path} is missing`;
  const oldest = Math.min(...built.map((b) => b.at));
  const input = newestInput();
  if (input.at > oldest) return `${input.path} changed after the last build`;
  return undefined;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const reason = staleReason();
  if (reason) {
    console.error(`dist/ is out of date (${reason}): building with \`npm run build\` first...`);
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  }
  // The libsrtp addon is built at install; if libsrtp2-dev arrived later (ensure-test-deps), build it now.
  if (mtime('native/srtp/build/Release/confab_srtp.node') === undefined && existsSync('/usr/include/srtp2/srtp.h')) {
    execFileSync(process.execPath, ['scripts/build-native.mjs'], { cwd: root, stdio: 'inherit' });
  }
}
