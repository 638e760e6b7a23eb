import { describe, expect, it } from 'vitest';
import { checksum, fib, isPrime, makeBytes, pow, rc4, runSequential, sha256, spin, spinOrNot, WORKLOADS, workloadTasks } from '../src/workloads.js';

describe('workloads', () => {
  it('compute what the seeds compute', async () => {
    expect([17, 4, 2, 1, 112272535095293].map(isPrime)).toEqual([true, false, true, false, true]);
    expect(fib(20)).toBe(6765);
    expect(pow({ base: 3, exp: 5 })).toBe(243);
    const data = makeBytes(1000, 1);
    expect(makeBytes(1000, 1)).toEqual(data);
    expect(typeof rc4({ data })).toBe('number');
    expect(await sha256({ data: new TextEncoder().encode('abc') })).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(checksum(new Uint8Array())).toBe(0x811c9dc5);
  });

  it('every scaling workload has inputs and runs', async () => {
    expect(WORKLOADS.map((w) => w.name)).toEqual(['is_prime', 'fib', 'pow', 'rc4', 'sha256']);
    const sha = WORKLOADS.find((w) => w.name === 'sha256');
    expect(sha?.inputs()).toHaveLength(12);
    expect(await runSequential(WORKLOADS[0])).toEqual([true, true, true, true, true, false, true, false]);
  });

  it('spin busy-waits for its argument (synchronously) and spinOrNot(0) returns at once', () => {
    const t = performance.now();
    let timerRan = false;
    setTimeout(() => {
      timerRan = true;
    }, 0);
    expect(spin(20)).toBe(20);
    expect(performance.now() - t).toBeGreaterThanOrEqual(20);
    expect(timerRan).toBe(false);
    expect(spinOrNot(0)).toBe(0);
    expect(spinOrNot(2)).toBe(2);
    expect(Object.keys(workloadTasks)).toEqual(expect.arrayContaining(['spin', 'spinOrNot']));
  });
});
