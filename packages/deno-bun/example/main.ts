// The is_prime quick start on Deno or Bun:
//   deno run --allow-read main.ts
//   bun main.ts
import { asCompleted, createExecutor } from '@offload/deno-bun';
import type { Tasks } from './tasks.ts';

const candidates = [112272535095293, 112582705942171, 112272535095293, 115280095190773, 115797848077099, 1099726899285419, 17, 4];

await using ex = createExecutor<Tasks>(new URL('./tasks.ts', import.meta.url), { maxWorkers: 4 });

for await (const { index, future } of asCompleted(candidates.map((n) => ex.submit('isPrime', [n])))) {
  console.log(`${candidates[index]} is prime: ${await future}`);
}
console.log('fib(25) =', await ex.tasks.fib(25));
for await (const r of ex.map('fib', [20, 21, 22])) console.log('map fib ->', r);
