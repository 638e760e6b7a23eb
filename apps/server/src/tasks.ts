/**
 * The CPU-bound work the server offloads. This module is loaded in each worker
 * (and, in --blocking mode, on the main thread through the InlineExecutor).
 */
import { expose } from '@offload/core/worker';

/** Naive recursive Fibonacci: deliberately slow (the seeds' "catastrophically slow" task). */
export function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

/** Trial division over odd divisors up to sqrt(n). */
export function isPrime(n: number): boolean {
  if (n < 2) return false;
  if (n % 2 === 0) return n === 2;
  const limit = Math.floor(Math.sqrt(n));
  for (let d = 3; d <= limit; d += 2) {
    if (n % d === 0) return false;
  }
  return true;
}

/** The primes below `below`, in order, found one at a time (a generator task: the caller streams them). */
export function* primesBelow(below: number): Generator<number> {
  for (let n = 2; n < below; n++) if (isPrime(n)) yield n;
}

export const tasks = expose({ fib, isPrime, primesBelow });
export type Tasks = typeof tasks;
