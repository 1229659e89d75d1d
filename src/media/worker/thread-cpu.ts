/**
 * CPU time of the calling thread, for the per-worker figures of /metrics
 * and the bench (issue 14). `process.cpuUsage()` counts the whole process
 * (every worker and the main thread); Node 23.9+ has
 * `process.threadCpuUsage()`, Node 20 does not, so on Linux we read the
 * calling thread's own `/proc/thread-self/stat` (utime + stime, fields 14
 * and 15, in clock ticks of 10 ms). A synchronous read runs on the calling
 * thread, so "thread-self" is this worker.
 */
import { readFileSync } from 'node:fs';

/** Linux's USER_HZ: 100 on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/** Microseconds of CPU this thread has used, or undefined where it cannot be told. */
export function threadCpuUsage(): number | undefined {
  const own = (process as { threadCpuUsage?: () => { user: number; system: number } }).threadCpuUsage;
  if (own) {
    const { user, system } = own();
    return user + system;
  }
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    // The command name (field 2) may hold spaces: count fields from after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1e6) / TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}
