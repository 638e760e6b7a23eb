// A plain BullMQ worker process for bench/worker-split.ts: it takes jobs written as an Offload executor
// writes them (devalue-encoded arguments in `a`) and answers with the devalue-encoded result, one job at a
// time. `plain` runs the task on BullMQ's event loop; `hop` hands it to a node-worker executor of one
// thread and back (the hop an Offload worker machine makes), nothing else of Offload's worker.
// Usage: node split-worker.mjs <queue> <redis url> <plain|hop> <tasks module path>
import { pathToFileURL } from 'node:url';
import { createExecutor } from '@offload/node-worker';
import { Worker } from 'bullmq';
import { decode, encode } from '../dist/codec.js';

const [queue, url, mode, module] = process.argv.slice(2);
const tasks = await import(pathToFileURL(module).href);
const ex = mode === 'hop' ? createExecutor(pathToFileURL(module), { maxWorkers: 1, minWorkers: 1 }) : undefined;
const run = (name, args) => (ex ? ex.submit(name, args) : tasks.tasks[name](...args));
const worker = new Worker(queue, async (job) => encode(await run(job.name, decode(job.data.a))), {
  connection: { url, maxRetriesPerRequest: null },
  concurrency: 1,
});
worker.on('error', () => {});
await worker.waitUntilReady();
process.stdout.write(`split worker: serving queue "${queue}" (pid ${process.pid})\n`);
const stop = () => Promise.allSettled([worker.close(), ex?.shutdown()]).then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
