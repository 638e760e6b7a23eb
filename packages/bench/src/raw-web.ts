/**
 * The raw Web Worker floor (Deno, Bun, browsers): one postMessage per task
 * each way, no pool. Runtime-neutral.
 * @module
 */
import { workloadTasks } from './workloads.js';

const tasks = workloadTasks as unknown as Record<string, (x: unknown) => unknown>;
const scope = globalThis as unknown as {
  postMessage(m: unknown): void;
  addEventListener(t: 'message', fn: (e: MessageEvent) => void): void;
};
scope.addEventListener('message', (e) => {
  const [id, name, arg] = e.data as [number, string, unknown];
  const r = tasks[name](arg);
  if (r instanceof Promise) r.then((v) => scope.postMessage([id, v]));
  else scope.postMessage([id, r]);
});
scope.postMessage([0, 'ready']);
