import type { Worker } from 'node:worker_threads';
import { createExecutor } from '@offload/node-worker';
import { type FuzzWorld, liveCounter } from './fuzz-model.js';

const tasks = new URL('../../conformance/dist/fixtures/tasks.js', import.meta.url);

/**
 * node-worker for the fuzz: a 64 MB heap per worker, so that `allocate`
 * exhausts it; live workers counted from the process's `worker` events.
 */
export const world: FuzzWorld = {
  backend: 'node-worker',
  create: (options) => createExecutor(tasks, { ...options, resourceLimits: { maxOldGenerationSizeMb: 64 } }),
  countWorkers() {
    const counter = liveCounter();
    const onWorker = (w: Worker) => counter.created(w);
    process.on('worker', onWorker);
    counter.stop = () => process.off('worker', onWorker);
    return counter;
  },
};
