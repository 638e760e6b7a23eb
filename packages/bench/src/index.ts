/**
 * @offload/bench: the shared benchmark suite (workloads, adapters, harness,
 * scenarios, statistics, report). The bench app drives it.
 * @module
 */
export * from './adapter.js';
export * from './figures.js';
export * from './flags.js';
export * from './guard.js';
export * from './harness.js';
export * from './head-of-line.js';
export * from './head-of-line-report.js';
export * from './html.js';
export * from './io.js';
export * from './io-report.js';
export * from './memory.js';
export * from './mixed.js';
export * from './queue-report.js';
export * from './report.js';
export * from './results.js';
export * from './scenarios.js';
export * from './stats.js';
export * from './summary.js';
export * from './web-runner.js';
export * from './workloads.js';
