// A Deno/Bun program that uses the executor and never calls shutdown(): argv[2] is the idleTimeout in ms.
import { createExecutor } from '../dist/index.js';

const idleTimeout = Number(globalThis.Deno ? Deno.args[0] : process.argv[2]);
const ex = createExecutor(new URL('../../conformance/dist/fixtures/tasks.js', import.meta.url), { maxWorkers: 2, idleTimeout });
console.log(`results ${await Promise.all([ex.submit('inc', [1]), ex.submit('inc', [2])])} at ${Math.round(performance.now())}`);
