import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';

const built = existsSync(fileURLToPath(new URL('../../../packages/bench/dist/index.js', import.meta.url)));

describe.skipIf(!built)('bench app options', async () => {
  const { parse, workerCounts } = await import('../src/cli.js');

  it('defaults to every runtime and scenario, full mode', () => {
    const o = parse([]);
    expect(o).toMatchObject({ mode: 'full', runtimes: ['node', 'deno', 'bun', 'chromium', 'bullmq'], backends: undefined });
    expect(o?.scenarios).toEqual(['scaling', 'burst', 'pingpong', 'cold-start', 'map', 'head-of-line', 'stream', 'memory', 'io', 'mixed']);
    expect(o?.latency).toBeUndefined();
    expect(o?.out).toMatch(/results$/);
  });

  it('parses lists and modes, and tolerates the `--` pnpm passes through', () => {
    const o = parse(['--', '--quick', '--runtimes', 'node,bun', '--backends', 'node-worker,raw', '--workloads', 'is_prime', '--workers', '4', '--no-progress']);
    expect(o).toMatchObject({
      mode: 'quick',
      runtimes: ['node', 'bun'],
      backends: ['node-worker', 'raw'],
      workloads: ['is_prime'],
      workers: 4,
      progress: 'none',
    });
    expect(parse(['--smoke'])?.mode).toBe('smoke');
    expect(parse(['--scenarios', 'head-of-line'])?.scenarios).toEqual(['head-of-line']);
    expect(parse(['--scenarios', 'io,mixed', '--latency', '30'])).toMatchObject({ scenarios: ['io', 'mixed'], latency: 30 });
  });

  it('prints a help without commands (there are none) and without a default on the negated --no-progress', () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    try {
      expect(parse(['--help'])).toBeUndefined();
      const help = info.mock.calls.map((c) => String(c[0])).join('\n');
      expect(help).toContain('$ offload-bench [options]');
      expect(help).not.toMatch(/<command>|Commands:/);
      expect(help).toMatch(/^ {2}--no-progress {2,}Nothing on stderr[^\n]*\)$/m);
      expect(help).not.toContain('(default: true)');
      expect(help).toMatch(/--scenarios <list> {2,}Scenarios to run, comma-separated \(default: scaling,burst/);
    } finally {
      info.mockRestore();
    }
  });

  it('rejects unknown runtimes and scenarios, and a latency that is not a duration', () => {
    expect(() => parse(['--runtimes', 'node,python'])).toThrow(/unknown runtime "python"/);
    expect(() => parse(['--scenarios', 'burst,nap'])).toThrow(/unknown scenario "nap"/);
    expect(() => parse(['--workloads', 'is_prime,primes'])).toThrow(/unknown workload "primes"/);
    expect(() => parse(['--latency', 'slow'])).toThrow(/--latency must be a number of ms >= 0; got "slow"/);
    expect(() => parse(['--latency=-5'])).toThrow(/--latency must be/);
    expect(() => parse(['--latency'])).toThrow(/--latency must be/);
  });

  it('uses 1..N workers on small machines and powers of two up to N on bigger ones', () => {
    expect(workerCounts(2)).toEqual([1, 2]);
    expect(workerCounts(4)).toEqual([1, 2, 3, 4]);
    expect(workerCounts(12)).toEqual([1, 2, 4, 8, 12]);
    expect(workerCounts(16)).toEqual([1, 2, 4, 8, 16]);
  });
});
