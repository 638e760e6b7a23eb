// Starts a worker, lets it take a job, closes it, and must then exit by itself (no leaked handles).
import { createExecutor, startWorker } from '@offload/bullmq';

const [module, connection, queue] = process.argv.slice(2);
const worker = startWorker(module, { connection, queue, concurrency: 1 });
await worker.ready;
const ex = createExecutor(module, { connection, queue });
if ((await ex.submit('inc', [1])) !== 2) process.exit(3);
await ex.shutdown();
await worker.close();
