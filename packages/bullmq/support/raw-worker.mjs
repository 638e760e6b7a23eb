// A plain BullMQ worker process, the baseline of the bench: the `add` task (x + 1), one job at a time,
// nothing of Offload. Run on BullMQ's own event loop, or with `sandboxed` as a BullMQ sandboxed processor
// in a worker thread (useWorkerThreads, BullMQ's way to keep CPU work off its event loop).
// Usage: node raw-worker.mjs <queue> <redis url> [sandboxed]
import { fileURLToPath } from 'node:url';
import { Worker } from 'bullmq';

const [queue, url, mode] = process.argv.slice(2);
const sandboxed = mode === 'sandboxed';
const processor = sandboxed ? fileURLToPath(new URL('./raw-processor.cjs', import.meta.url)) : async (job) => job.data.x + 1;
const worker = new Worker(queue, processor, { connection: { url, maxRetriesPerRequest: null }, concurrency: 1, useWorkerThreads: sandboxed });
worker.on('error', () => {});
await worker.waitUntilReady();
process.stdout.write(`raw worker: serving queue "${queue}" (pid ${process.pid})\n`);
const stop = () =>
  worker.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
