// The seeds' demo of map vs as_completed: a pool of 3 runs 5 tasks that sleep 0..4 units
// (100 ms each here), and every result is printed with timestamps as it arrives.
// map() yields in input order: a short task that finished early waits behind a long one.
// asCompleted() yields in completion order: each result as soon as it exists.
// `node main.mjs`
import { asCompleted, createExecutor } from '@offload/node-worker';

const inputs = [3, 2, 0, 1, 4];
const ex = createExecutor(new URL('./tasks.mjs', import.meta.url), { maxWorkers: 3 });

const secs = (t, t0) => `${((t - t0) / 1000).toFixed(2)}s`;
const line = (how, r, t0) => `${how} [${secs(Date.now(), t0)}] loiter(${r.n}) ran ${secs(r.started, t0)}-${secs(r.ended, t0)}`;

try {
  // Start the 3 workers first, so that both runs begin with the same warm pool.
  await Promise.all([0, 0, 0].map((n) => ex.submit('loiter', [n])));

  console.log(`map(loiter, [${inputs.join(', ')}]): results in input order`);
  let t0 = Date.now();
  for await (const r of ex.map('loiter', inputs)) console.log(line('map', r, t0));

  console.log(`asCompleted(submit(loiter, n) for n of [${inputs.join(', ')}]): results in completion order`);
  t0 = Date.now();
  const futures = inputs.map((n) => ex.submit('loiter', [n]));
  for await (const done of asCompleted(futures)) console.log(line('asCompleted', done.value, t0));
} finally {
  await ex.shutdown();
}
