import { createExecutor, asCompleted } from '@offload/node-worker';
const ex = createExecutor(new URL('./smoke-tasks.mjs', import.meta.url), { maxWorkers: 2 });
const c = [112272535095293, 112582705942171, 112272535095293, 115280095190773, 115797848077099, 1099726899285419, 17, 4];
let t = performance.now();
const fs = c.map((n) => ex.submit('isPrime', [n]));
for await (const f of asCompleted(fs)) console.log(c[fs.indexOf(f)], await f);
console.log('primes ms', performance.now() - t);
try { await ex.tasks.boom(); } catch (e) { console.log('err', e.name, e.message, e.cause, e instanceof TypeError); }
for (let round = 0; round < 3; round++) {
t = performance.now();
const N = 20000; const ps = []; for (let i = 0; i < N; i++) ps.push(ex.submit('add', [i]));
const r = await Promise.all(ps); 
console.log('burst', Math.round(N / ((performance.now() - t) / 1000)), 'tasks/s', r[N-1]);
}
t = performance.now(); let s = 0;
for await (const v of ex.map('add', Array.from({length: 100000}, (_, i) => i), { chunkSize: 1000 })) s += v;
console.log('map', s, performance.now() - t);
console.log(ex.stats());
await ex.shutdown();
console.log('done');
