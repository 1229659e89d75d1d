/** The doctor's output: one line per check for people, or one JSON document. */
import { VERSION } from '../../server/version.js';
import { prefixRule } from './fixes.js';
import type { CheckResult, DoctorOptions } from './types.js';

const NAME_WIDTH = 16;

/** `  FAIL  websocket         GET /jitsi/signaling -> 404 ...; fix: ...` */
export function formatLine(r: CheckResult): string {
  return `  ${r.status.toUpperCase().padEnd(4)}  ${r.name.padEnd(NAME_WIDTH)}  ${r.evidence}${r.fix && r.status !== 'pass' ? `; fix: ${r.fix}` : ''}`;
}

/** Like formatLine, but the long one-rule proxy fix is spelled out once; later lines refer to it. */
export function linePrinter(o: DoctorOptions): (r: CheckResult) => string {
  const rule = prefixRule(o.url.pathname);
  let shown = false;
  return (r) => {
    if (!r.fix?.includes(rule)) return formatLine(r);
    const fix = shown ? r.fix.replace(rule, `the same one rule for ${o.url.pathname} as above`) : r.fix;
    shown = true;
    return formatLine({ ...r, fix });
  };
}

export function header(o: DoctorOptions): string {
  return `confab doctor ${o.url.href} (doctor ${VERSION})`;
}

function counts(results: readonly CheckResult[]): Record<CheckResult['status'], number> {
  const c = { pass: 0, fail: 0, warn: 0, skip: 0 };
  for (const r of results) c[r.status]++;
  return c;
}

export function summary(results: readonly CheckResult[]): string {
  const c = counts(results);
  const tally = `${c.pass} passed, ${c.fail} failed, ${c.warn} warned, ${c.skip} skipped`;
  const bad = results.filter((r) => r.status === 'fail' || r.status === 'warn');
  if (bad.length === 0) return `result: PASS (${tally})`;
  return `result: FAIL: ${[...new Set(bad.map((r) => r.name))].join(', ')} (${tally})`;
}

export function jsonReport(o: DoctorOptions, results: readonly CheckResult[], startedAt: number, exitCode: number): string {
  const report = {
    url: o.url.href,
    doctorVersion: VERSION,
    startedAt: new Date(startedAt).toISOString(),
    durationMs: Date.now() - startedAt,
    result: exitCode === 0 ? 'pass' : 'fail',
    exitCode,
    counts: counts(results),
    checks: results,
  };
  return JSON.stringify(report, null, 2);
}
