import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

describe('examples/progress (tqdm-like bars over asCompleted and onProgress)', () => {
  it('runs as written and prints its results', async () => {
    const main = fileURLToPath(new URL('../examples/progress/main.mjs', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [main], { timeout: 60_000 });
    expect(stdout.trim().split('\n')).toEqual([
      '6 of 8 candidates are prime',
      '25997 primes below 300000',
      '17984 primes below 200000',
      '9592 primes below 100000',
    ]);
  });
});
