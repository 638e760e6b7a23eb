/**
 * The raw child_process floor: one IPC message per task each way
 * (`serialization: 'advanced'`), no pool.
 * @module
 */
import { workloadTasks } from './workloads.js';

const tasks = workloadTasks as unknown as Record<string, (x: unknown) => unknown>;
const send = (m: unknown) => process.send?.(m);
process.on('message', (msg: [number, string, unknown]) => {
  const [id, name, arg] = msg;
  const r = tasks[name](arg);
  if (r instanceof Promise) r.then((v) => send([id, v]));
  else send([id, r]);
});
send([0, 'ready']);
