/**
 * Option values at the edges, for a caller (`createExecutor`), a worker machine
 * (`startWorker`) and the `offload-worker` CLI: each bad value is an
 * InvalidArgumentError (code ERR_OFFLOAD_INVALID_ARGUMENT) thrown before any
 * connection opens, never BullMQ's plain Error, a job that fails later (a
 * backoff strategy no worker knows), a leaked connection that keeps the
 * program alive, or a stack trace from the CLI.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createExecutor, InvalidArgumentError, startWorker } from '@offload/bullmq';
import { describe, expect, it } from 'vitest';
import { CLI } from './cluster.js';

const tasks = new URL('./fixtures/effects.mjs', import.meta.url);
/** Nothing listens there: a connection that leaked would retry forever. */
const nowhere = 'redis://127.0.0.1:1';

/** The error `fn` throws. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** Run `node args`; its exit code and stderr (killed after 15 s: a leaked handle). */
function run(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    }),
  );
}

describe('bullmq: option values at the edges', () => {
  it('createExecutor: a queue name with ":", a prefix or connection that is not one, a backoff BullMQ cannot apply, are InvalidArgumentError', () => {
    const bad: Record<string, unknown>[] = [
      { queue: 'a:b' },
      { queue: '' },
      { prefix: 5 },
      { connection: 5 },
      { backoff: 'abc' },
      { backoff: -5 },
      { backoff: Number.NaN },
      { backoff: { type: 'bogus', delay: 5 } },
      { backoff: { type: 'fixed', delay: -1 } },
      { backoff: { type: 'exponential', delay: 10, jitter: 2 } },
    ];
    for (const o of bad) {
      const e = thrown(() => createExecutor(tasks, { connection: nowhere, queue: 'q', ...o } as never));
      expect([o, e]).toEqual([o, expect.any(InvalidArgumentError)]);
      expect((e as InvalidArgumentError).code).toBe('ERR_OFFLOAD_INVALID_ARGUMENT');
    }
  });

  it('startWorker: concurrency 0, NaN, negative, fractional, a string or Infinity, a queue name with ":", junk stall settings, no options, are InvalidArgumentError', () => {
    const bad: unknown[] = [
      { concurrency: 0 },
      { concurrency: Number.NaN },
      { concurrency: -1 },
      { concurrency: 1.5 },
      { concurrency: '2' },
      { concurrency: Number.POSITIVE_INFINITY },
      { queue: 'a:b' },
      { queue: '' },
      { stalledInterval: Number.NaN },
      { lockDuration: 0 },
      { maxStalledCount: -1 },
      { root: 5 },
    ];
    for (const o of bad) {
      const e = thrown(() => startWorker(tasks, { connection: nowhere, queue: 'q', ...(o as object) } as never));
      expect([o, e]).toEqual([o, expect.any(InvalidArgumentError)]);
    }
    expect(thrown(() => startWorker(tasks, undefined as never))).toBeInstanceOf(InvalidArgumentError);
  });

  it('a program that catches those errors exits by itself: nothing was left connecting', async () => {
    const index = pathToFileURL(fileURLToPath(new URL('../dist/index.js', import.meta.url))).href;
    const program = `
      const { createExecutor, startWorker } = await import(${JSON.stringify(index)});
      for (const f of [
        () => startWorker(${JSON.stringify(tasks.href)}, { connection: ${JSON.stringify(nowhere)}, queue: 'q', concurrency: 0 }),
        () => startWorker(${JSON.stringify(tasks.href)}, { connection: ${JSON.stringify(nowhere)}, queue: 'a:b' }),
        () => createExecutor(${JSON.stringify(tasks.href)}, { connection: ${JSON.stringify(nowhere)}, queue: 'a:b' }),
      ]) {
        try { f(); process.exitCode = 3; } catch (e) { if (e.code !== 'ERR_OFFLOAD_INVALID_ARGUMENT') process.exitCode = 4; }
      }`;
    expect(await run(['--input-type=module', '-e', program])).toEqual({ code: 0, stderr: '' });
  }, 30_000);

  it('offload-worker with a bad option (--concurrency abc, 0 or 1.5, a queue name with ":", an unknown flag) says why, shows its usage and exits with code 2, without a stack trace', async () => {
    const module = fileURLToPath(tasks);
    for (const args of [
      ['--concurrency', 'abc'],
      ['--concurrency', '0'],
      ['--concurrency', '1.5'],
      ['--stalled-interval', ''],
      ['--queue', 'a:b'],
      ['--bogus', '1'],
    ]) {
      const { code, stderr } = await run([CLI, '--queue', 'q', '--redis', nowhere, ...args, module]);
      expect([args, code]).toEqual([args, 2]);
      expect(stderr).toContain('usage: offload-worker');
      expect(stderr).not.toMatch(/\n\s+at /);
    }
  }, 60_000);
});
