/**
 * Runs the check groups in the order (1-7), each seeing what the
 * earlier ones learned, and hands every result to `onResult` as it comes
 * (media takes seconds: an operator sees progress).
 */
import { healthChecks } from './health.js';
import { kubeChecks } from './kube.js';
import { mediaChecks } from './media.js';
import { networkChecks } from './network.js';
import { signalingChecks } from './signaling.js';
import { tokenChecks } from './tokens.js';
import type { CheckResult, DoctorContext, DoctorOptions, Group, Report } from './types.js';
import { webChecks } from './web.js';

type GroupCheck = (o: DoctorOptions, ctx: DoctorContext, report: Report) => Promise<void>;

const CHECKS: Record<Group, GroupCheck> = {
  network: networkChecks,
  web: webChecks,
  signaling: signalingChecks,
  token: tokenChecks,
  media: mediaChecks,
  health: healthChecks,
  kube: kubeChecks,
};

export async function runDoctor(o: DoctorOptions, onResult: Report = () => undefined): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const report: Report = (result) => {
    results.push(result);
    onResult(result);
  };
  // A group that is not run is assumed fine, so `--only media` still tries.
  const ctx: DoctorContext = { reachable: !o.only.includes('network'), websocket: !o.only.includes('signaling') };
  for (const group of Object.keys(CHECKS) as Group[]) {
    if (!o.only.includes(group)) continue;
    try {
      await CHECKS[group](o, ctx, report);
    } catch (error) {
      // A bug in one check must not hide the others' results.
      report({ group, name: group, status: 'fail', evidence: `the ${group} check crashed: ${(error as Error).stack ?? String(error)}`, fix: 'report this as a Confab bug with this output' });
    }
  }
  return results;
}

/** 0 only when nothing failed or warned (skipped checks were not asked for or not applicable). */
export function exitCode(results: readonly CheckResult[]): number {
  return results.some((r) => r.status === 'fail' || r.status === 'warn') ? 1 : 0;
}
