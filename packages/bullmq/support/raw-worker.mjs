// A plain BullMQ worker process, the baseline of the bench: the `add` task (x + 1) run on BullMQ's own
// event loop, one job at a time, nothing of Offload. Usage: node raw-worker.mjs <queue> <redis url>
import { Worker } from 'bullmq';

const [queue, url] = process.argv.slice(2);
const worker = new Worker(queue, async (job) => job.data.x + 1, { connection: { url, maxRetriesPerRequest: null }, concurrency: 1 });
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
