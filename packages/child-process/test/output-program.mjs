// Has a child process write to stdout or stderr, then stops it: by shutdown, by recycling after each task, or by the idle timeout (argv: stream, bytes, stop).
import { createExecutor } from '@offload/child-process';

const [stream, bytes, stop] = process.argv.slice(2);
const ex = createExecutor(new URL('../../node-worker/test/fixtures/output-tasks.mjs', import.meta.url), {
  maxWorkers: 1,
  maxTasksPerWorker: stop === 'recycle' ? 1 : undefined,
  idleTimeout: stop === 'idle' ? 0 : undefined,
});
await ex.submit('write', [stream, Number(bytes)]);
if (stop === 'recycle') await ex.submit('write', [stream, Number(bytes)]);
if (stop === 'idle') {
  const end = Date.now() + 10_000;
  while (ex.stats().workers > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  if (ex.stats().workers > 0) throw new Error('the idle worker was not stopped');
}
await ex.shutdown();
