// The page: computes the seed is_prime candidates on a pool of module Workers.
import { asCompleted, createExecutor } from '@offload/browser';
import type { Tasks } from './tasks.ts';

const candidates = [112272535095293, 112582705942171, 112272535095293, 115280095190773, 115797848077099, 1099726899285419, 17, 4];

const list = document.querySelector('#results') as HTMLOListElement;
const status = document.querySelector('#status') as HTMLParagraphElement;
const rows = candidates.map((n) => {
  const li = document.createElement('li');
  li.textContent = `${n}: computing…`;
  list.append(li);
  return li;
});

// The standard bundler pattern: Vite serves (and in a build, emits) the worker module.
const ex = createExecutor<Tasks>(new URL('./tasks.ts', import.meta.url), { maxWorkers: 4 });
const t0 = performance.now();
try {
  const futures = candidates.map((n) => ex.submit('isPrime', [n]));
  for await (const { index, future } of asCompleted(futures)) {
    const prime = await future;
    const li = rows[index] as HTMLLIElement;
    li.textContent = `${candidates[index]}: ${prime ? 'prime' : 'not prime'}`;
    li.dataset.prime = String(prime);
  }
  status.textContent = `done in ${Math.round(performance.now() - t0)} ms on ${ex.stats().spawnedWorkers} workers`;
  document.body.dataset.state = 'done';
} catch (error) {
  status.textContent = `failed: ${error instanceof Error ? error.message : String(error)}`;
  document.body.dataset.state = 'failed';
} finally {
  await ex.shutdown();
}
