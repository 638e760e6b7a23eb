import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** How a program run by {@link countOutput} stops its worker after the tasks. */
export type Stop = 'shutdown' | 'recycle' | 'idle';

/**
 * Run `node program <stream> <bytes> <stop>`: the program has a worker write
 * `bytes` to its `stream` (once, or once per recycled worker) and shuts the
 * executor down. Resolves with the bytes that arrived on each stream.
 */
export function countOutput(
  program: string,
  stream: 'stdout' | 'stderr',
  bytes: number,
  stop: Stop,
): Promise<{ stdout: number; stderr: number; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [program, stream, String(bytes), stop], { stdio: ['ignore', 'pipe', 'pipe'] });
    const got = { stdout: 0, stderr: 0 };
    child.stdout.on('data', (d: Buffer) => {
      got.stdout += d.length;
    });
    child.stderr.on('data', (d: Buffer) => {
      got.stderr += d.length;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${program} did not exit within 60 s`));
    }, 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ ...got, code });
    });
  });
}

const MB = 1 << 20;
const how: Record<Stop, string> = {
  shutdown: 'shut down',
  recycle: 'recycled after each task (maxTasksPerWorker 1) and shut down',
  idle: 'stopped by the idle timeout',
};

/** The delivery cases, run against `program` (a backend's output program): every byte written arrives before the stop. */
export function describeOutputDelivery(title: string, program: string): void {
  describe(title, () => {
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
}
