// The task module: runs in Deno or Bun module Web Workers.
import { expose } from '@offload/core/worker';

export function isPrime(n: number): boolean {
  if (n < 2) return false;
  if (n % 2 === 0) return n === 2;
  if (n % 3 === 0) return n === 3;
  for (let i = 5; i * i <= n; i += 6) if (n % i === 0 || n % (i + 2) === 0) return false;
  return true;
}

export function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

export const tasks = expose({ isPrime, fib });
export type Tasks = typeof tasks;
