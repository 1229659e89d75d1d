/**
 * The heap in use after full collections, in MB: what the memory-bound tests compare before and
 * after a flood (`--expose-gc` is turned on here, so the tests need no node flag).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export function heapMb(): number {
  // Twice: the first collection may only make more garbage collectable (weak references, finalizers).
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1e6;
}
