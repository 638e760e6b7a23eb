// Offload the seed is_prime candidates and print them as they complete.
import { asCompleted, createExecutor } from '@offload/node-worker';

const candidates = [112272535095293, 112582705942171, 112272535095293, 115280095190773, 115797848077099, 1099726899285419, 17, 4];

const ex = createExecutor(new URL('./tasks.mjs', import.meta.url));
try {
  const futures = candidates.map((n) => ex.submit('isPrime', [n]));
  for await (const done of asCompleted(futures)) {
    console.log(`${candidates[done.index]} is prime: ${done.value}`);
  }
} finally {
  await ex.shutdown();
}
