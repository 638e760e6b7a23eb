import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { countOutput, type Stop } from '../../node-worker/test/output-check.js';

const program = fileURLToPath(new URL('./output-program.mjs', import.meta.url));
const MB = 1 << 20;
const how: Record<Stop, string> = {
  shutdown: 'shut down',
  recycle: 'recycled after each task (maxTasksPerWorker 1) and shut down',
  idle: 'stopped by the idle timeout',
};

describe('child-process: what a child process writes is delivered before it is stopped', () => {
  for (const [stream, bytes, stop] of [
    ['stdout', MB, 'shutdown'],
    ['stdout', 20 * MB, 'shutdown'],
    ['stderr', MB, 'shutdown'],
    ['stderr', 20 * MB, 'shutdown'],
    ['stdout', MB, 'recycle'],
    ['stderr', 20 * MB, 'idle'],
  ] as const) {
    it(`${bytes / MB} MB to ${stream}, then ${how[stop]}`, async () => {
      const r = await countOutput(program, stream, bytes, stop);
      expect(r.code).toBe(0);
      expect(r[stream]).toBe(stop === 'recycle' ? 2 * bytes : bytes);
    });
  }
});
