// Check the is_prime candidates on worker threads and print them as they complete; any failure ends the program with its error.
import { asCompleted, createExecutor } from '@offload/node-worker';

const candidates = [112272535095293, 112582705942171, 112272535095293, 115280095190773, 115797848077099, 1099726899285419, 17, 4];

const ex = createExecutor(new URL('./tasks.mjs', import.meta.url));
try {
  const futures = candidates.map((n) => ex.submit('isPrime', [n]));
  for await (const done of asCompleted(futures)) {
    if (done.status === 'rejected') throw done.reason; // e.g. WorkerInitError when tasks.mjs cannot load
    console.log(`${candidates[done.index]} is prime: ${done.value}`);
  }
} finally {
  await ex.shutdown();
}
