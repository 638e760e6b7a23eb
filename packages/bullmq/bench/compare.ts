/**
 * Offload over BullMQ against raw BullMQ, and is_prime across worker processes
 * against the node-worker backend. Starts its own redis-server and processes,
 * stops them at the end. Run after a build:
 *   npx tsx packages/bullmq/bench/compare.ts [--tasks 3000]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createExecutor as createLocal } from '@offload/node-worker';
import { Queue, QueueEvents } from 'bullmq';
import { createExecutor } from '../src/index.ts';
import { startRedis, startWorkerProcess, stopChild, type TestRedis } from '../test/cluster.ts';

const { values } = parseArgs({ options: { tasks: { type: 'string', default: '3000' } } });
const N = Number(values.tasks);
const tasksModule = new URL('../../bench/dist/tasks.js', import.meta.url);
const { isPrime, PRIME_CANDIDATES } = (await import(new URL('../../bench/dist/workloads.js', import.meta.url).href)) as {
  isPrime: (n: number) => boolean;
  PRIME_CANDIDATES: number[];
};

/** A plain BullMQ worker process: the `add` task, nothing of Offload. */
const RAW_WORKER = `
import { Worker } from 'bullmq';
const w = new Worker(process.argv[1], async (job) => job.data.x + 1, { connection: { url: process.argv[2], maxRetriesPerRequest: null }, concurrency: 1 });
await w.waitUntilReady();
console.log('raw worker ready');
process.on('SIGTERM', () => w.close().then(() => process.exit(0)));
`;

function rawWorker(url: string, queue: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', RAW_WORKER, queue, url], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve) => child.stdout?.once('data', () => resolve(child)));
}

const ms = (t0: number) => performance.now() - t0;
const children: ChildProcess[] = [];
let redis: TestRedis | undefined;
try {
  redis = await startRedis();
  const url = redis.url;

  // 1. Per-task overhead: N `add` tasks submitted at once to one worker process with one slot.
  const raw = await rawWorker(url, 'raw');
  children.push(raw);
  const q = new Queue('raw', { connection: { url } });
  const qe = new QueueEvents('raw', { connection: { url }, lastEventId: '0-0' });
  await qe.waitUntilReady();
  let done = 0;
  let finished!: () => void;
  const all = new Promise<void>((r) => (finished = r));
  qe.on('completed', () => {
    if (++done === N) finished();
  });
  let t0 = performance.now();
  for (let i = 0; i < N; i++) void q.add('add', { x: i }, { removeOnComplete: true });
  await all;
  const rawMs = ms(t0);
  await Promise.all([qe.close(), q.close()]);
  await stopChild(raw);

  const one = await startWorkerProcess({ url, queue: 'offload', module: fileURLToPath(tasksModule), concurrency: 1 });
  children.push(one);
  const ex = createExecutor(tasksModule, { connection: url, queue: 'offload' });
  await ex.submit('add', [0]);
  t0 = performance.now();
  await Promise.all(Array.from({ length: N }, (_, i) => ex.submit('add', [i])));
  const offMs = ms(t0);
  await ex.shutdown();
  console.log(
    `overhead, ${N} add tasks on 1 worker process x 1 slot: raw BullMQ ${((rawMs * 1000) / N).toFixed(0)} µs/task, Offload ${((offMs * 1000) / N).toFixed(0)} µs/task (${(offMs / rawMs).toFixed(2)}x raw)`,
  );

  // 2. is_prime over the seed candidates: sequential, node-worker (2 threads), BullMQ with 1, 2, 4 worker processes (1 slot each).
  t0 = performance.now();
  for (const n of PRIME_CANDIDATES) isPrime(n);
  const seqMs = ms(t0);
  const local = createLocal(tasksModule, { maxWorkers: 2, minWorkers: 2 });
  await Promise.all([local.submit('add', [0]), local.submit('add', [0])]);
  t0 = performance.now();
  await Promise.all(PRIME_CANDIDATES.map((n) => local.submit('isPrime', [n])));
  const localMs = ms(t0);
  await local.shutdown();
  console.log(`is_prime: sequential ${seqMs.toFixed(0)} ms; node-worker, 2 warm threads: ${localMs.toFixed(0)} ms (speedup ${(seqMs / localMs).toFixed(2)})`);
  await stopChild(children.pop() as ChildProcess);
  const procs: ChildProcess[] = [];
  for (const count of [1, 2, 4]) {
    while (procs.length < count) procs.push(await startWorkerProcess({ url, queue: 'primes', module: fileURLToPath(tasksModule), concurrency: 1 }));
    const bx = createExecutor(tasksModule, { connection: url, queue: 'primes' });
    await Promise.all(procs.map(() => bx.submit('add', [0])));
    t0 = performance.now();
    await Promise.all(PRIME_CANDIDATES.map((n) => bx.submit('isPrime', [n])));
    const t = ms(t0);
    await bx.shutdown();
    console.log(
      `is_prime on bullmq, ${count} worker process(es): ${t.toFixed(0)} ms (speedup ${(seqMs / t).toFixed(2)}, ${(localMs / t).toFixed(2)}x node-worker's)`,
    );
  }
  children.push(...procs);
} finally {
  await Promise.all(children.map((c) => stopChild(c)));
  await redis?.stop();
}
