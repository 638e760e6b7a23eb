import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';

const built = existsSync(fileURLToPath(new URL('../../../packages/bench/dist/index.js', import.meta.url)));

describe.skipIf(!built)('the bullmq runtime row (structure only, nothing timed)', async () => {
  const { bullmqSteps, ROW_MODULE } = await import('../src/bullmq.js');
  const { parse } = await import('../src/cli.js');
  const options = (...args: string[]) => {
    const o = parse(['--runtimes', 'bullmq', '--no-progress', ...args]);
    if (!o) throw new Error('no options');
    return o;
  };

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('is a runtime of the app, run by default', () => {
    expect(parse([])?.runtimes).toContain('bullmq');
    expect(existsSync(ROW_MODULE)).toBe(true);
  });

  it('without redis-server: one step that returns the skipped rows with the reason, and a note; nothing fails', async () => {
    vi.stubEnv('REDIS_SERVER', '/nonexistent/redis-server');
    const notes: string[] = [];
    const steps = await bullmqSteps(options('--quick', '--scenarios', 'burst,scaling'), notes, {}, () => {});
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({ label: 'bullmq (skipped)', runs: 0 });
    const rows = await steps[0].run();
    expect(rows.map((r) => [r.scenario, r.backend])).toEqual([
      ['queue-burst', 'bullmq'],
      ['queue-burst', 'raw-bullmq'],
      ['queue-scaling', 'bullmq'],
    ]);
    for (const r of rows) expect(r.error).toMatch(/^skipped: \/nonexistent\/redis-server not found/);
    expect(notes).toEqual([expect.stringMatching(/^bullmq: skipped: \/nonexistent\/redis-server not found/)]);
  });

  it('a row module that cannot be found or loaded is a skip with the reason too', async () => {
    const notes: string[] = [];
    const steps = await bullmqSteps(options('--smoke', '--scenarios', 'pingpong'), notes, {}, () => {}, '/nonexistent/row.ts');
    expect((await steps[0].run()).map((r) => r.error)).toEqual(['skipped: /nonexistent/row.ts not found', 'skipped: /nonexistent/row.ts not found']);
    expect(notes).toEqual(['bullmq: skipped: /nonexistent/row.ts not found']);
  });

  it('takes no step when none of its scenarios (pingpong, burst, scaling) is asked for', async () => {
    const notes: string[] = [];
    expect(await bullmqSteps(options('--scenarios', 'io,memory'), notes, {}, () => {})).toEqual([]);
    expect(notes).toEqual(['bullmq: none of its scenarios (pingpong, burst, scaling) was asked for; skipped']);
  });
});
