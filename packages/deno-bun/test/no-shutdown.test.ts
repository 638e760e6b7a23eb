/**
 * A program that never calls shutdown(): on Bun its idle workers are unref'd
 * and it exits as soon as its own work is done; Deno 2.9's Web Workers have no
 * unref, so there it exits when the idle timeout retires the workers (the
 * limitation the READMEs state, with its remedies: shutdown(), `await using`,
 * or a short idleTimeout).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { binDir, packageDir } from './remote.js';

const required = Boolean(process.env.CI || process.env.OFFLOAD_REQUIRE_RUNTIMES);
const program = fileURLToPath(new URL('./no-shutdown-program.mjs', import.meta.url));

/** Run the program; resolves with how long after printing its results it exited, or `undefined` when it still ran `lingerMs` later (then it is killed). */
function exitAfterResults(runtime: 'deno' | 'bun', idleTimeout: number, lingerMs: number): Promise<{ afterResults: number | undefined; output: string }> {
  const args = runtime === 'deno' ? ['run', '-A', program, String(idleTimeout)] : [program, String(idleTimeout)];
  return new Promise((resolve, reject) => {
    const child = spawn(`${binDir}${runtime}`, args, { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    let resultsAt = 0;
    let timer: NodeJS.Timeout | undefined;
    const onData = (d: Buffer): void => {
      output += d;
      if (!resultsAt && output.includes('results 2,3')) {
        resultsAt = performance.now();
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve({ afterResults: undefined, output });
        }, lingerMs);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no results within 60 s: ${output}`));
    }, 60_000);
    child.on('exit', (code) => {
      clearTimeout(guard);
      clearTimeout(timer);
      if (code !== 0 || !resultsAt) reject(new Error(`exit code ${code}: ${output}`));
      else resolve({ afterResults: performance.now() - resultsAt, output });
    });
  });
}

describe.skipIf(!existsSync(`${binDir}bun`) && !required)('a program that does not call shutdown() on bun', () => {
  it('exits as soon as its work is done, well before the 10 s idle timeout', async () => {
    const r = await exitAfterResults('bun', 10_000, 5_000);
    expect(r.afterResults, r.output).toBeDefined();
  });
});

describe.skipIf(!existsSync(`${binDir}deno`) && !required)('a program that does not call shutdown() on deno', () => {
  it('is kept alive by its idle workers (Deno 2.9 Web Workers have no unref) until the idle timeout', async () => {
    const r = await exitAfterResults('deno', 10_000, 3_000);
    expect(r.afterResults, r.output).toBeUndefined();
  });

  it('exits by itself once a short idleTimeout has retired the workers', async () => {
    const r = await exitAfterResults('deno', 300, 20_000);
    expect(r.afterResults, r.output).toBeDefined();
  });
});
