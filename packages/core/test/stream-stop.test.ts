/**
 * A stopped stream ends on its worker only once the generator's `finally`
 * blocks have run, so its slot is never handed to the next task while they
 * are still running (an async generator runs them after the step it is in).
 */
import { expect, it } from 'vitest';
import { type FromWorker, PROTOCOL_VERSION } from '../src/protocol.js';
import { servedWorker } from './served-worker.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it("a cancelled stream (cancel, abort or timeout) reports its end after its generator's finally block, even a slow one", async () => {
  let finallies = 0;
  let atEnd: number | undefined;
  const w = servedWorker(
    {
      async *ticker() {
        try {
          for (let i = 0; ; i++) {
            await sleep(5);
            yield i;
          }
        } finally {
          await sleep(30);
          finallies++;
        }
      },
    },
    (messages: FromWorker[]) => {
      if (messages.some((m) => (m.t === 'err' || m.t === 'ok') && m.id === 1)) atEnd ??= finallies;
    },
  );
  w.send({ t: 'start', v: PROTOCOL_VERSION, init: undefined, concurrency: 1 }, { t: 'stream', id: 1, name: 'ticker', args: [], hwm: 1000 });
  await sleep(20);
  // The executor's cancel, an aborted signal and a timeout all reach the worker as this message.
  w.send({ t: 'cancel', id: 1 });
  await expect.poll(() => atEnd, { timeout: 2000 }).toBeDefined();
  expect(atEnd).toBe(1);
});
