/**
 * Worker file of the poolifier cluster pool peer (processes): the same workload
 * functions, one task function each. CommonJS: poolifier's cluster worker
 * never answers a task when its file is an ES module (Node 20), and does as
 * CommonJS, as its examples are written. The workloads are loaded with require(esm).
 * @module
 */
import poolifier = require('poolifier');
import workloads = require('./workloads.js');

const { isPrime, fib, pow, rc4, sha256, add, spin, spinOrNot } = workloads.workloadTasks;
const tasks = { isPrime, fib, pow, rc4, sha256, add, spin, spinOrNot } as unknown as Record<string, (data?: unknown) => unknown>;

export = new poolifier.ClusterWorker(tasks);
