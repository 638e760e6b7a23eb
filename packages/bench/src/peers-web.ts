/**
 * The peer that runs in a browser: workerpool with module Web Workers (its
 * worker script is peer-workerpool.ts, bundled). Imported by the Chromium
 * runner page only.
 * @module
 */
import workerpool from 'workerpool';
import type { Adapter } from './adapter.js';

/** workerpool's pool of Web Workers running `script` (the bundled peer-workerpool.js). */
export function workerpoolWebPeer(script: URL | string): Adapter {
  return {
    name: 'workerpool',
    kind: 'peer',
    isolation: 'thread',
    create: (workers) => {
      const pool = workerpool.pool(String(script), { minWorkers: workers, maxWorkers: workers, workerType: 'web', workerOpts: { type: 'module' } });
      return { run: (task, arg) => Promise.resolve(pool.exec(task, [arg])), close: async () => void (await pool.terminate()) };
    },
  };
}
