/**
 * The page's Content-Security-Policy has no 'unsafe-eval' (src/server/page-headers.ts),
 * and zod 4 probes for `new Function` to compile fast object parsers: a probe the CSP
 * blocks and Chromium reports as a violation. Turned off here, before any schema is
 * built (schemas read the setting when created): main.ts imports this module first.
 */
import { z } from 'zod';

z.config({ jitless: true });
