// The tasks of the progress example: a quick check per number, and a long count that reports its progress.
import { expose, taskContext } from '@offload/core/worker';

export function isPrime(n) {
  if (n < 2) return false;
  if (n % 2 === 0) return n === 2;
  for (let i = 3; i * i <= n; i += 2) if (n % i === 0) return false;
  return true;
}

/** Count the primes below `limit`, telling the caller how far it got. */
export function countPrimes(limit) {
  const ctx = taskContext();
  let count = 0;
  for (let n = 0; n < limit; n++) {
    if (isPrime(n)) count++;
    // Cheap enough to call every time: values are coalesced, the caller sees the latest.
    ctx.progress(n + 1);
  }
  return count;
}

export const tasks = expose({ isPrime, countPrimes });
