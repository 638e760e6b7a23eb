/**
 * Runs the cases in a foreign runtime (Deno, Bun) and prints one JSON line per
 * case, for a Node-side vitest file to report. See `registerRemote`.
 * @module
 */

import { runCase, supports, type Target } from './harness.js';
import { cases } from './index.js';

/** Result of one case in a remote runtime. */
export interface RemoteResult {
  name: string;
  status: 'passed' | 'skipped' | 'failed';
  error?: string;
  ms: number;
}

/** Prefix of the lines the remote runner prints. */
export const RESULT_PREFIX = '@@offload-conformance ';

/** Run every case on `target`, printing a result line for each. */
export async function runRemote(target: Target, print: (line: string) => void): Promise<RemoteResult[]> {
  const results: RemoteResult[] = [];
  for (const c of cases) {
    const t0 = Date.now();
    let r: RemoteResult;
    if (!supports(target, c)) r = { name: c.name, status: 'skipped', ms: 0 };
    else {
      try {
        await runCase(target, c);
        r = { name: c.name, status: 'passed', ms: Date.now() - t0 };
      } catch (e) {
        r = { name: c.name, status: 'failed', error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e), ms: Date.now() - t0 };
      }
    }
    results.push(r);
    print(RESULT_PREFIX + JSON.stringify(r));
  }
  return results;
}
