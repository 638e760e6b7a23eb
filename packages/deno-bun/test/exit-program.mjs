// A Deno/Bun program that uses the executor and shuts it down: it must exit by itself.
import { createExecutor } from '../dist/index.js';

const ex = createExecutor(new URL('../../conformance/dist/fixtures/tasks.js', import.meta.url), { maxWorkers: 2, minWorkers: 2, idleTimeout: 60_000 });
await Promise.all([ex.submit('inc', [1]), ex.submit('sleep', [20])]);
await ex.shutdown();
console.log('shut down');
