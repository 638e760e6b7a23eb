/** Worker file of the poolifier cluster pool peer (processes): the same workload functions, one task function each. @module */
import { ClusterWorker } from 'poolifier';
import { workloadTasks } from './workloads.js';

const { isPrime, fib, pow, rc4, sha256, add, spin, spinOrNot } = workloadTasks;
const tasks = { isPrime, fib, pow, rc4, sha256, add, spin, spinOrNot } as unknown as Record<string, (data?: unknown) => unknown>;

export default new ClusterWorker(tasks);
