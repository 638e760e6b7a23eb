/** Node.js: worker_threads. */
export * from '@offload/node-worker';
