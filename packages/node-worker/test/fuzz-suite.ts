/**
 * Registers the fuzz of one backend (see fuzz-model.ts): a time-bounded
 * fast-check run with a fixed seed, and a child program that runs one
 * sequence and must exit by itself. OFFLOAD_FUZZ_MS (default 30000 per
 * backend) and OFFLOAD_FUZZ_SEED make a longer or different run.
 * @module
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FuzzWorld, runSequence, sequenceArb } from './fuzz-model.js';

const seed = Number(process.env.OFFLOAD_FUZZ_SEED ?? 20261130);
const budget = Number(process.env.OFFLOAD_FUZZ_MS ?? 30_000);
const exitProgram = fileURLToPath(new URL('./fuzz-exit.ts', import.meta.url));

/** Run `node --import tsx fuzz-exit.ts <world> <seed>`; resolves with how long it took to exit after saying "shut down". */
function runExitProgram(worldModule: string): Promise<{ afterShutdown: number | undefined; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', exitProgram, worldModule, String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let shutAt: number | undefined;
    const onData = (d: Buffer) => {
      output += d;
      if (shutAt === undefined && output.includes('shut down')) shutAt = Date.now();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve({ afterShutdown: shutAt === undefined ? undefined : Date.now() - shutAt, output });
    });
  });
}

/** Fuzz `world`; `worldModule` is the file that exports it as `world` (for the child program). */
export function registerFuzz(world: FuzzWorld, worldModule: string): void {
  describe(`fuzz: ${world.backend}`, () => {
    it(
      'keeps every invariant over random sequences of submit, cancel, map and shutdown',
      async () => {
        let runs = 0;
        const start = Date.now();
        try {
          await fc.assert(
            fc.asyncProperty(sequenceArb, async (seq) => {
              runs++;
              expect(await runSequence(world, seq)).toEqual([]);
            }),
            { seed, numRuns: 1_000_000, interruptAfterTimeLimit: budget, markInterruptAsFailure: false },
          );
        } finally {
          console.log(`[fuzz] ${world.backend}: ${runs} sequences in ${Date.now() - start} ms, seed ${seed}`);
        }
      },
      budget + 120_000,
    );

    it('a program that runs a sequence and shuts down exits by itself', async () => {
      const { afterShutdown, output } = await runExitProgram(worldModule);
      expect(output).toMatch(/shut down \[\]/);
      expect(afterShutdown, output).toBeLessThan(5_000);
    }, 90_000);
  });
}
