/** The is_prime quick start (example/main.ts) runs on Deno and on Bun with the commands the README shows. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { binDir, packageDir } from './remote.js';

const expected = [
  '112272535095293 is prime: true',
  '112582705942171 is prime: true',
  '115280095190773 is prime: true',
  '115797848077099 is prime: true',
  '1099726899285419 is prime: false',
  '17 is prime: true',
  '4 is prime: false',
  'fib(25) = 75025',
  'map fib -> 6765',
];
const required = Boolean(process.env.CI || process.env.OFFLOAD_REQUIRE_RUNTIMES);

for (const [runtime, args] of [
  ['deno', ['run', '--allow-read', 'example/main.ts']],
  ['bun', ['example/main.ts']],
] as const) {
  const bin = `${binDir}${runtime}`;
  const present = existsSync(bin);
  if (!present && !required) console.log(`[offload] skipping the ${runtime} quick start: ${bin} is missing.`);
  describe.skipIf(!present && !required)(`quick start on ${runtime}`, () => {
    it(`${runtime} ${args.join(' ')} prints every candidate and exits`, () => {
      const r = spawnSync(bin, args, { cwd: packageDir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
      expect(r.error).toBeUndefined();
      expect(r.status, r.stderr).toBe(0);
      const lines = r.stdout.trim().split('\n');
      for (const line of expected) expect(lines).toContain(line);
      expect(lines.filter((l) => l.includes('is prime')).length).toBe(8);
    });
  });
}
