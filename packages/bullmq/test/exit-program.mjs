// Uses an executor, shuts it down, and must then exit by itself (no leaked handles).
import { createExecutor } from '@offload/bullmq';

const [module, connection, queue] = process.argv.slice(2);
const ex = createExecutor(module, { connection, queue });
if ((await ex.submit('inc', [1])) !== 2) process.exit(3);
await ex.shutdown();
