// The seeds' flags download: 20 small images from a slow server, I/O-bound work.
// On the event loop (InlineExecutor, many requests in flight) and on a pool of worker
// threads (one request per worker at a time), each failure reported with the input it
// belongs to (asCompleted gives each result's index). `node main.mjs`
import { createInlineExecutor } from '@offload/core';
import { asCompleted, createExecutor } from '@offload/node-worker';
import { startFlagServer } from './server.mjs';

const POP20_CC = 'CN IN US ID BR PK NG BD RU JP MX PH VN ET EG DE IR TR CD FR'.split(' ');
// One code the server does not have, to show the error handling.
const codes = [...POP20_CC, 'ZZ'];
const tasks = new URL('./tasks.mjs', import.meta.url);

/** Download every flag on `ex`; prints each failure with its country code, then a summary. */
async function download(label, ex, base) {
  const t0 = performance.now();
  const futures = codes.map((cc) => ex.submit('getFlag', [`${base}/flags/${cc.toLowerCase()}.gif`]));
  let ok = 0;
  const failed = [];
  for await (const done of asCompleted(futures)) {
    const cc = codes[done.index];
    if (done.status === 'fulfilled') ok++;
    else {
      failed.push(cc);
      const why = done.reason?.name === 'FlagHttpError' ? `HTTP ${done.reason.status}` : String(done.reason);
      console.log(`${label}: ${cc} failed: ${why}`);
    }
  }
  const secs = ((performance.now() - t0) / 1000).toFixed(2);
  console.log(`${label}: ${ok} flags downloaded, ${failed.length} failed (${failed.join(', ')}) in ${secs}s`);
}

const server = await startFlagServer({ latencyMs: 100, known: POP20_CC });
try {
  // The event loop: up to 20 requests in flight, nothing to start.
  const inline = createInlineExecutor(tasks, { concurrentTasksPerWorker: 20 });
  try {
    await download('InlineExecutor', inline, server.base);
  } finally {
    await inline.shutdown();
  }
  // Worker threads: each worker runs one request at a time, so 4 workers keep 4 in flight.
  const pool = createExecutor(tasks, { maxWorkers: 4 });
  try {
    await download('node-worker x4', pool, server.base);
  } finally {
    await pool.shutdown();
  }
} finally {
  await server.close();
}
