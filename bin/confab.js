#!/usr/bin/env node
// The `confab` command (npx confab ...): runs the built CLI.
import '../dist/src/cli/main.js';
