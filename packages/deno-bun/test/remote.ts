/**
 * Runs the conformance suite in a foreign runtime (Deno, Bun) and registers one
 * vitest test per case under `describe('conformance <cell>')`, each asserting the
 * status the runtime reported for it. The case list and the skip decisions come
 * from the same `cases` and `supports()` as every other cell.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cases, supports, type Target, type TargetFlags } from '@offload/conformance';
import type { Capabilities } from '@offload/core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { RESULT_PREFIX, type RemoteResult } from '../../conformance/dist/runner.js';

export interface RemoteCell {
  /** `<backend>@<runtime>` */
  name: string;
  /** The runtime's executable, e.g. node_modules/.bin/deno. */
  bin: string;
  /** Arguments that run the runner script. */
  args: string[];
  capabilities: Capabilities;
  flags: TargetFlags;
  cwd: string;
}

/** Is the binary there and does it start? Returns why not, or undefined. */
function missing(bin: string): string | undefined {
  if (!existsSync(bin)) return `${bin} does not exist (run pnpm install; bun and deno come from their npm packages)`;
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) return `${bin} --version failed (${r.error?.message ?? `exit ${r.status}`}): ${(r.stderr ?? '').slice(0, 300)}`;
  return undefined;
}

export function registerRemoteConformance(cell: RemoteCell): void {
  const target = { name: cell.name, capabilities: cell.capabilities, flags: cell.flags } as Target;
  const why = missing(cell.bin);
  const required = Boolean(process.env.CI || process.env.OFFLOAD_REQUIRE_RUNTIMES);

  describe(`conformance ${cell.name}`, () => {
    if (why) {
      if (!required) console.log(`[offload] skipping conformance ${cell.name}: ${why}. Set OFFLOAD_REQUIRE_RUNTIMES=1 to make this a failure.`);
      for (const c of cases) {
        if (required) {
          it(c.name, () => {
            throw new Error(`The runtime of ${cell.name} is required (CI or OFFLOAD_REQUIRE_RUNTIMES is set) but missing: ${why}`);
          });
        } else it.skip(c.name, () => {});
      }
      return;
    }

    const waiting = new Map<string, { resolve(r: RemoteResult): void; reject(e: Error): void }>();
    const results = new Map<string, RemoteResult | Error>();
    let child: ChildProcess | undefined;
    let stderr = '';

    const settle = (name: string, r: RemoteResult | Error): void => {
      results.set(name, r);
      const w = waiting.get(name);
      if (!w) return;
      waiting.delete(name);
      if (r instanceof Error) w.reject(r);
      else w.resolve(r);
    };

    beforeAll(() => {
      child = spawn(cell.bin, cell.args, { cwd: cell.cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
      let buffered = '';
      child.stdout?.setEncoding('utf8');
      child.stdout?.on('data', (chunk: string) => {
        buffered += chunk;
        let nl = buffered.indexOf('\n');
        while (nl >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          if (line.startsWith(RESULT_PREFIX)) {
            const r = JSON.parse(line.slice(RESULT_PREFIX.length)) as RemoteResult;
            settle(r.name, r);
          }
          nl = buffered.indexOf('\n');
        }
      });
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-4000);
      });
      child.on('exit', (code, signal) => {
        const error = new Error(`${cell.bin} ${cell.args.join(' ')} ended (${signal ?? `exit code ${code}`}) before reporting this case. stderr:\n${stderr}`);
        for (const c of cases) if (!results.has(c.name)) settle(c.name, error);
      });
    });

    afterAll(() => {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });

    const result = (name: string): Promise<RemoteResult> => {
      const r = results.get(name);
      if (r instanceof Error) return Promise.reject(r);
      if (r) return Promise.resolve(r);
      return new Promise((resolve, reject) => waiting.set(name, { resolve, reject }));
    };

    for (const c of cases) {
      it.skipIf(!supports(target, c))(c.name, { timeout: (c.timeout ?? 15_000) + 30_000 }, async () => {
        const r = await result(c.name);
        if (r.status !== 'passed') throw new Error(`${cell.name} reported "${r.status}" for this case${r.error ? `:\n${r.error}` : ''}`);
      });
    }
  });
}

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/** The package directory and its runtime binaries (installed from npm through the lockfile). */
export const packageDir = here('..');
export const binDir = here('../node_modules/.bin/');
export const runner = here('./runner.mjs');
