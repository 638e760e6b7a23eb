/**
 * What the published declarations let a user reach: a Future can be awaited
 * and cancelled, never settled or re-bound from outside, and the executor has
 * no underscore back doors. Reads the built .d.ts files (the test command
 * builds first).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import pkg from '../package.json' with { type: 'json' };

const dts = (file: string) => readFileSync(new URL(`../dist/${file}`, import.meta.url), 'utf8');

describe('published types', () => {
  it('Future declares no way to settle, mark or re-bind it', () => {
    const future = dts('future.d.ts');
    for (const name of ['settleFulfilled', 'settleRejected', 'settleCancelled', 'markRunning', 'owner', 'ownerKey', 'settleFuture', 'bindFuture']) {
      expect(future, name).not.toMatch(new RegExp(`\\b${name}\\b`));
    }
  });

  it('Executor declares no underscore members', () => {
    expect(dts('executor.d.ts')).not.toMatch(/\b_\w+\(/);
  });

  it('the package exports only its entry points, so internal modules cannot be imported', () => {
    // ./backend: the building blocks for a backend that does not run on the core scheduler (@offload/bullmq).
    expect(Object.keys(pkg.exports).sort()).toEqual(['.', './backend', './node', './package.json', './web', './worker']);
  });
});

describe('streams', () => {
  it('a StreamingFuture has no reachable sink to feed forged items through', async () => {
    const { StreamingFuture } = await import('../src/stream.js');
    const f = new StreamingFuture<number>();
    expect(Object.keys(f)).toEqual([]);
    expect('sink' in f).toBe(false);
    expect(dts('stream.d.ts')).not.toMatch(/^\s+(readonly )?sink[!?]?:/m);
  });
});
