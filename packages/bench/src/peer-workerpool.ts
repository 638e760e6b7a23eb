/** Worker script of the workerpool peer: the same workload functions. @module */
import workerpool from 'workerpool';
import { workloadTasks } from './workloads.js';

workerpool.worker(workloadTasks as unknown as Record<string, (...args: unknown[]) => unknown>);
