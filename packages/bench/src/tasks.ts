/**
 * The Offload task module of the benchmark: the workloads, exposed. Every
 * Offload backend (node-worker, child-process, deno-bun, browser) loads the
 * built dist/tasks.js.
 * @module
 */
import { expose } from '@offload/core/worker';
import { fetchFlag } from './flags.js';
import { workloadTasks } from './workloads.js';

export const tasks = expose({ ...workloadTasks, fetchFlag });
export type Tasks = typeof tasks;
