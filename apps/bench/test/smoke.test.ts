import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { figureProblems } from '@offload/bench';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const app = fileURLToPath(new URL('..', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../../../packages/bench/dist/index.js', import.meta.url)));

describe.skipIf(!built)('bench app --smoke', () => {
  it('writes a valid results.json and a self-contained report.html (structure, not timings)', { timeout: 180_000 }, async () => {
    const out = mkdtempSync(join(tmpdir(), 'offload-bench-'));
    const tsx = join(app, 'node_modules/.bin/tsx');
    const { stdout } = await run(tsx, ['src/cli.ts', '--smoke', '--runtimes', 'node', '--no-progress', '--out', out], { cwd: app, maxBuffer: 16 << 20 });
    expect(stdout).toContain('node · burst');
    expect(stdout).toMatch(/^targets$/m);
    // The terminal output ends with the summary (then the line naming the files written).
    expect(stdout).toMatch(/\nsummary: which backend to use \(figures of this run\)\nnode\n {2}CPU-bound work: [\s\S]*\n\nwrote [^\n]+\n$/);
    // One line per kind of work: CPU (scaling), tiny tasks (map), isolation (child-process burst), I/O (the io scenario).
    const summary = stdout.slice(stdout.lastIndexOf('\nsummary: '));
    for (const use of ['CPU-bound work', 'many tiny tasks', 'isolation (separate processes)', 'I/O-bound work']) expect(summary).toContain(`\n  ${use}: `);
    expect(stdout).not.toMatch(/issue\s*#?\d/i);

    const report = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(report).toMatchObject({ schema: 1, mode: 'smoke' });
    expect(report.machine).toMatchObject({ cores: expect.any(Number), runtimes: { node: process.versions.node } });
    expect(report.results.length).toBeGreaterThan(10);
    for (const r of report.results) {
      expect(r).toEqual(
        expect.objectContaining({
          runtime: 'node',
          scenario: expect.any(String),
          backend: expect.any(String),
          kind: expect.stringMatching(/^(offload|peer|raw|baseline)$/),
          workload: expect.any(String),
          workers: expect.any(Number),
          unit: expect.any(String),
          samples: expect.any(Array),
        }),
      );
      if (r.error) continue;
      expect(Number.isFinite(r.median)).toBe(true);
      // Memory figures (per worker, or % growth during a stream) can be zero; so can the event-loop lag of a loop that was
      // never late; everything else is a positive time or rate.
      if (r.scenario === 'mixed') expect(r.median).toBeGreaterThanOrEqual(0);
      else if (r.scenario !== 'memory' && r.scenario !== 'stream-memory') expect(r.median).toBeGreaterThan(0);
    }
    // No negative or NaN figure anywhere in results.json: rows, speedups, noise floors, evaluated targets.
    expect(figureProblems(report)).toEqual([]);
    for (const r of report.results.filter((x: { scenario: string; error?: string }) => x.scenario === 'memory' && !x.error))
      expect(r).toMatchObject({ workers: 4, noise: expect.any(Number), withinNoise: expect.any(Boolean) });
    const scenarios = new Set(report.results.map((r: { scenario: string }) => r.scenario));
    for (const s of [
      'sequential',
      'scaling',
      'scaling-warm',
      'burst',
      'pingpong',
      'cold-start',
      'map',
      'map-unchunked',
      'head-of-line',
      'head-of-line-long',
      'stream',
      'stream-memory',
      'memory',
      'io',
      'mixed',
      'mixed-io',
    ])
      expect(scenarios).toContain(s);
    const kinds = new Set(report.results.map((r: { kind: string }) => r.kind));
    for (const k of ['offload', 'peer', 'raw', 'baseline']) expect(kinds).toContain(k);
    expect(report.targets.length).toBeGreaterThan(0);
    for (const t of report.targets) expect(['met', 'missed', 'n/a']).toContain(t.status);

    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).toContain('Chart');
    expect(html.indexOf('<h2>Summary: which backend to use</h2>')).toBeLessThan(html.indexOf('<h2>Targets</h2>'));
    const json = html.match(/<script id="results" type="application\/json">(.*?)<\/script>/s)?.[1];
    expect(JSON.parse(json ?? '').results).toHaveLength(report.results.length);
  });
});
