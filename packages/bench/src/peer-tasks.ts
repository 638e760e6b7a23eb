/**
 * Worker file of the thread/process peer pools that load a module and call an
 * export by name (tinypool, piscina): the same workload functions, plain.
 * @module
 */
import { workloadTasks } from './workloads.js';

export const { isPrime, fib, pow, rc4, sha256, add, spin, spinOrNot } = workloadTasks;
export default add;
