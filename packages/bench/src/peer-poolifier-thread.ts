/** Worker file of the poolifier thread pool peer: the same workload functions, one task function each. @module */
import { ThreadWorker } from 'poolifier';
import { workloadTasks } from './workloads.js';

const { isPrime, fib, pow, rc4, sha256, add, spin, spinOrNot } = workloadTasks;
const tasks = { isPrime, fib, pow, rc4, sha256, add, spin, spinOrNot } as unknown as Record<string, (data?: unknown) => unknown>;

export default new ThreadWorker(tasks);
