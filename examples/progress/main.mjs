// Progress bars over an executor, the tqdm way: one bar that advances as futures
// complete (asCompleted), then one bar per long task fed by the task's own
// progress reports (onProgress). `node main.mjs`; the bars draw on a terminal,
// the summary lines print everywhere.
import { asCompleted, createExecutor } from '@offload/node-worker';
import cliProgress from 'cli-progress';

const candidates = [112272535095293, 112582705942171, 112272535095293, 115280095190773, 115797848077099, 1099726899285419, 17, 4];
const limits = [300_000, 200_000, 100_000];

const ex = createExecutor(new URL('./tasks.mjs', import.meta.url), { maxWorkers: 2 });
try {
  // 1. tqdm(as_completed(futures), total=len(futures))
  const bar = new cliProgress.SingleBar({ format: 'is_prime    [{bar}] {value}/{total}' }, cliProgress.Presets.shades_classic);
  bar.start(candidates.length, 0);
  let primes = 0;
  for await (const done of asCompleted(candidates.map((n) => ex.submit('isPrime', [n])))) {
    if (done.value) primes++;
    bar.increment();
  }
  bar.stop();
  console.log(`${primes} of ${candidates.length} candidates are prime`);

  // 2. One bar per long task, moved by taskContext().progress() inside it.
  const bars = new cliProgress.MultiBar({ clearOnComplete: false }, cliProgress.Presets.shades_classic);
  const counts = await Promise.all(
    limits.map((limit) => {
      const b = bars.create(limit, 0, {}, { format: `countPrimes(${limit}) [{bar}] {percentage}%` });
      return ex.submit('countPrimes', [limit], { onProgress: (done) => b.update(done) }).then((count) => {
        b.update(limit);
        return count;
      });
    }),
  );
  bars.stop();
  for (const [i, limit] of limits.entries()) console.log(`${counts[i]} primes below ${limit}`);
} finally {
  await ex.shutdown();
}
