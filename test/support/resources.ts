/** What this process holds, for tests that check classes leave nothing behind. */
import { readdirSync } from 'node:fs';

/** Counts of this process's live libuv resources by type (UDPWrap, TCPSocketWrap, Timeout...). */
export function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

/** How many live resources of one type. */
export const count = (type: string): number => resources()[type] ?? 0;

/** Open file descriptors (Linux). */
export const openFds = (): number => readdirSync('/proc/self/fd').length;
