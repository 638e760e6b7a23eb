import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const built = existsSync(fileURLToPath(new URL('../../../packages/bench/dist/index.js', import.meta.url)));
const bin = (name: string) => existsSync(fileURLToPath(new URL(`../node_modules/.bin/${name}`, import.meta.url)));
const chromium = existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium');

describe.skipIf(!built)('other runtimes (structure only, tiny sizes)', async () => {
  const { otherRuntimeSteps } = await import('../src/runtimes.js');
  const { parse } = await import('../src/cli.js');

  for (const [runtime, present] of [
    ['deno', bin('deno')],
    ['bun', bin('bun')],
    ['chromium', chromium],
  ] as const) {
    it.skipIf(!present)(`${runtime}: the runner reports results for the raw Worker floor (and the backend when built)`, { timeout: 60_000 }, async () => {
      const o = parse(['--smoke', '--runtimes', runtime, '--scenarios', 'burst,cold-start,head-of-line', '--no-progress']);
      if (!o) throw new Error('no options');
      const notes: string[] = [];
      const versions: Record<string, string> = {};
      let ticks = 0;
      const steps = await otherRuntimeSteps(o, notes, versions, () => ticks++);
      expect(steps).toHaveLength(1);
      const results = await steps[0].run();
      expect(notes.filter((n) => !n.includes('is not built'))).toEqual([]);
      expect(versions[runtime]).toMatch(/\d/);
      expect(ticks).toBe(steps[0].runs);
      const raw = results.filter((r) => r.backend === 'raw-worker');
      expect(raw.map((r) => r.scenario).sort()).toEqual(
        ['burst', 'cold-start', 'head-of-line', 'head-of-line-long', 'head-of-line', 'head-of-line-long'].sort(),
      );
      for (const r of results) {
        expect(r.runtime).toBe(runtime);
        expect(r.error).toBeUndefined();
        expect(r.median).toBeGreaterThan(0);
      }
    });
  }

  for (const [runtime, present] of [
    ['deno', bin('deno')],
    ['bun', bin('bun')],
    ['chromium', chromium],
  ] as const) {
    it.skipIf(!present)(
      `${runtime}: the io scenario reaches the loopback flags server (Deno allowed to, the page through CORS)`,
      { timeout: 60_000 },
      async () => {
        const { serveFlags } = await import('@offload/bench/flags-server.js');
        const server = await serveFlags({ latencyMs: 2 });
        try {
          const o = parse(['--smoke', '--runtimes', runtime, '--scenarios', 'io', '--no-progress']);
          if (!o) throw new Error('no options');
          const notes: string[] = [];
          const steps = await otherRuntimeSteps(o, notes, {}, () => {}, server);
          const results = await steps[0].run();
          expect(notes.filter((n) => !n.includes('is not built'))).toEqual([]);
          const io = results.filter((r) => r.scenario === 'io');
          expect(io.map((r) => r.backend).slice(0, 3)).toEqual(['sequential', 'Promise.all', 'inline']);
          for (const r of io) expect(r.error).toBeUndefined();
        } finally {
          await server.close();
        }
      },
    );
  }
});
