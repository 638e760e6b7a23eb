import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const INPUTS = [3, 2, 0, 1, 4];

/** The `loiter(n)` lines of one run, in printed order: n and when the task ended (s from the run's start). */
function run(stdout: string, how: 'map' | 'asCompleted') {
  return stdout
    .split('\n')
    .map((l) => new RegExp(`^${how} \\[[\\d.]+s\\] loiter\\((\\d)\\) ran [\\d.]+s-([\\d.]+)s$`).exec(l))
    .filter((m) => m !== null)
    .map((m) => ({ n: Number(m[1]), ended: Number(m[2]) }));
}

describe('examples/sleep-order (the seeds’ pool of 3 running 5 sleeping tasks)', () => {
  it('prints map results in input order and asCompleted results in completion order', async () => {
    const main = fileURLToPath(new URL('../examples/sleep-order/main.mjs', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [main], { timeout: 60_000 });

    const map = run(stdout, 'map');
    expect(map.map((r) => r.n)).toEqual(INPUTS);

    const completed = run(stdout, 'asCompleted');
    expect(completed.map((r) => r.n).sort()).toEqual([...INPUTS].sort());
    // Each result as soon as its task ended: the printed order is the order of the end times...
    const ends = completed.map((r) => r.ended);
    expect(ends).toEqual([...ends].sort((a, b) => a - b));
    // ...which is not the input order: loiter(0) and loiter(1) finish long before loiter(3), submitted first.
    expect(completed.map((r) => r.n)).not.toEqual(INPUTS);
  });
});
