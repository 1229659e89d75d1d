#!/usr/bin/env node
// Finds Debian's Chromium for the browser tests, or installs it when we can
// (root with apt-get, as on CI and fresh Debian machines). Never downloads a
// browser build of its own: Playwright drives the system Chromium.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (existsSync(path)) process.exit(0);

const isRoot = process.getuid?.() === 0;
const hasApt = existsSync('/usr/bin/apt-get');
if (!isRoot || !hasApt || process.env.CHROMIUM_PATH) {
  console.error(
    `No Chromium at ${path}. The browser tests need Debian's chromium:\n` +
      `  sudo apt-get install -y chromium\n` +
      `or set CHROMIUM_PATH to a Chromium binary.`,
  );
  process.exit(1);
}
console.error(`No Chromium at ${path}: installing Debian's chromium package (apt-get)...`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
if (!existsSync(path)) {
  console.error(`apt-get installed chromium but ${path} is still missing`);
  process.exit(1);
}
