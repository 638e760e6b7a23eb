import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { README, withFreshTable } from './backends-table.js';

describe('README', () => {
  it('backends table matches the capability flags in code (run `pnpm docs:backends` to update)', () => {
    const readme = readFileSync(README, 'utf8');
    expect(readme).toBe(withFreshTable(readme));
  });

  it('quick start runs as written and prints every seed candidate', async () => {
    const main = fileURLToPath(new URL('../examples/quickstart/main.mjs', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [main], { timeout: 60_000 });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(8);
    expect(lines).toContain('1099726899285419 is prime: false');
    expect(lines).toContain('17 is prime: true');
    expect(lines).toContain('4 is prime: false');
  });
});
