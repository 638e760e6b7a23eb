/**
 * Evaluates a small program on Deno and on Bun from the package directory (where
 * Deno resolves the package's imports) and reads the JSON its last line prints.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { expect } from 'vitest';
import { binDir, packageDir } from './remote.js';

/** In CI, or with OFFLOAD_REQUIRE_RUNTIMES, a missing runtime fails instead of skipping. */
export const required = Boolean(process.env.CI || process.env.OFFLOAD_REQUIRE_RUNTIMES);

/** A built file of this repository as a quoted `file:` URL, to import from an evaluated program. */
export const built = (path: string): string => JSON.stringify(new URL(path, import.meta.url).href);

/** Deno and Bun, each with whether its binary is installed. */
export const evalRuntimes = (['deno', 'bun'] as const).map((name) => ({ name, present: existsSync(`${binDir}${name}`) }));

/** Run `program` on `runtime`; expects exit 0 and returns the JSON of its last stdout line. */
export function evalProgram(runtime: 'deno' | 'bun', program: string): unknown {
  const args = runtime === 'deno' ? ['eval', program] : ['-e', program];
  const r = spawnSync(`${binDir}${runtime}`, args, { cwd: packageDir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  expect(r.error).toBeUndefined();
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '');
}
