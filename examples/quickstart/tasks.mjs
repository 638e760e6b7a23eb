// The task module: is_prime by trial division over odd divisors up to sqrt(n).
import { expose } from '@offload/core/worker';

export function isPrime(n) {
  if (n < 2) return false;
  if (n % 2 === 0) return n === 2;
  for (let i = 3; i * i <= n; i += 2) if (n % i === 0) return false;
  return true;
}

export const tasks = expose({ isPrime });
