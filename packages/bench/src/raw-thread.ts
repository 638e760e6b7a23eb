/**
 * The raw worker_threads floor: one postMessage per task each way, no pool,
 * no protocol beyond `[id, name, arg]` -> `[id, result]`.
 * @module
 */
import { parentPort } from 'node:worker_threads';
import { workloadTasks } from './workloads.js';

const port = parentPort;
if (!port) throw new Error('raw-thread.js must run in a worker thread');
const tasks = workloadTasks as unknown as Record<string, (x: unknown) => unknown>;
port.on('message', (msg: [number, string, unknown]) => {
  const [id, name, arg] = msg;
  const r = tasks[name](arg);
  if (r instanceof Promise) r.then((v) => port.postMessage([id, v]));
  else port.postMessage([id, r]);
});
port.postMessage([0, 'ready']);
