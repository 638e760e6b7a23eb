// Quick per-task throughput check: 20,000 trivial tasks on 2 workers through
// Offload's node-worker, tinypool, and raw worker_threads postMessage, interleaved.
// Usage (after `pnpm build`): node packages/bench/quick-throughput.mjs
import { Worker } from 'node:worker_threads';
import { createExecutor } from '@offload/node-worker';
import Tinypool from 'tinypool';

const N = 20_000;
const WORKERS = 2;
const ROUNDS = 5;
const dir = new URL('./quick-throughput/', import.meta.url);

async function offload() {
  const ex = createExecutor(new URL('offload-tasks.mjs', dir), { maxWorkers: WORKERS, minWorkers: WORKERS });
  await Promise.all([ex.submit('inc', [0]), ex.submit('inc', [0])]);
  return {
    run: () => Promise.all(Array.from({ length: N }, (_, i) => ex.submit('inc', [i]))),
    close: () => ex.shutdown(),
  };
}

async function tinypool() {
  const pool = new Tinypool({ filename: new URL('tinypool-task.mjs', dir).href, minThreads: WORKERS, maxThreads: WORKERS });
  await Promise.all([pool.run(0), pool.run(0)]);
  return { run: () => Promise.all(Array.from({ length: N }, (_, i) => pool.run(i))), close: () => pool.destroy() };
}

async function raw() {
  const workers = Array.from({ length: WORKERS }, () => new Worker(new URL('raw-worker.mjs', dir)));
  const pending = new Map();
  for (const w of workers)
    w.on('message', ([id, v]) => {
      const r = pending.get(id);
      pending.delete(id);
      r(v);
    });
  let id = 0;
  const call = (x) =>
    new Promise((resolve) => {
      const k = id++;
      pending.set(k, resolve);
      workers[k % WORKERS].postMessage([k, x]);
    });
  await Promise.all([call(0), call(0)]);
  return { run: () => Promise.all(Array.from({ length: N }, (_, i) => call(i))), close: () => Promise.all(workers.map((w) => w.terminate())) };
}

const contenders = { offload: await offload(), tinypool: await tinypool(), raw: await raw() };
const samples = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, c] of Object.entries(contenders)) {
    const t0 = performance.now();
    const out = await c.run();
    const ms = performance.now() - t0;
    if (out[N - 1] !== N) throw new Error(`${name} returned a wrong result`);
    samples[name].push(N / (ms / 1000));
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = Object.entries(samples).map(([name, xs]) => ({ name, median: median(xs) }));
for (const r of rows) console.log(`${r.name.padEnd(9)} ${Math.round(r.median).toLocaleString('en-US').padStart(9)} tasks/s`);
const m = Object.fromEntries(rows.map((r) => [r.name, r.median]));
console.log(`offload / tinypool = ${(m.offload / m.tinypool).toFixed(2)}x, offload / raw = ${(m.offload / m.raw).toFixed(2)}x`);
await Promise.all(Object.values(contenders).map((c) => c.close()));
