import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const script = fileURLToPath(new URL('./which-backend.mjs', import.meta.url));
const bin = (name: string) => fileURLToPath(new URL(`../../deno-bun/node_modules/.bin/${name}`, import.meta.url));
const required = Boolean(process.env.CI || process.env.OFFLOAD_REQUIRE_RUNTIMES);

describe('offload picks the backend of the runtime through exports conditions', () => {
  it('node -> @offload/node-worker', async () => {
    const { stdout } = await run(process.execPath, [script], { timeout: 30_000 });
    expect(stdout.trim()).toBe('node-worker 42');
  });

  for (const [runtime, args] of [
    ['deno', ['run', '--allow-read', '--allow-env', script]],
    ['bun', [script]],
  ] as const) {
    const present = existsSync(bin(runtime));
    it.skipIf(!present && !required)(`${runtime} -> @offload/deno-bun`, async () => {
      const { stdout } = await run(bin(runtime), [...args], { timeout: 60_000 });
      expect(stdout.trim()).toBe('deno-bun 42');
    });
  }
});
