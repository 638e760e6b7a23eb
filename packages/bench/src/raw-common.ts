/**
 * What every raw floor worker does with one request: run the task and post
 * `[id, result]`; a generator task (the stream scenario) posts its items in
 * batches of {@link RAW_BATCH} as `[-id, items]`, then `[id, count]`.
 * Runtime-neutral.
 * @module
 */
import { workloadTasks } from './workloads.js';

/** Items per message of a raw stream: what a hand-written worker would batch. */
export const RAW_BATCH = 256;

const tasks = workloadTasks as unknown as Record<string, (x: unknown) => unknown>;

const isIterator = (r: unknown): r is Iterator<unknown> =>
  typeof r === 'object' && r !== null && typeof (r as Iterator<unknown>).next === 'function' && Symbol.iterator in r;

/** Run request `[id, name, arg]` and post its answer(s) with `post`. */
export function answerRaw(msg: [number, string, unknown], post: (m: unknown) => void): void {
  const [id, name, arg] = msg;
  const r = tasks[name](arg);
  if (r instanceof Promise) r.then((v) => post([id, v]));
  else if (isIterator(r)) {
    let batch: unknown[] = [];
    let n = 0;
    for (let x = r.next(); !x.done; x = r.next()) {
      batch.push(x.value);
      n++;
      if (batch.length === RAW_BATCH) {
        post([-id, batch]);
        batch = [];
      }
    }
    if (batch.length > 0) post([-id, batch]);
    post([id, n]);
  } else post([id, r]);
}
