import { ProtocolError, SerializationError, WorkerCrashedError } from '@offload/core';
import { assert, type Case } from '../harness.js';

/** Settle `p` into a value either way, so a case can look at what came back. */
const outcome = (p: PromiseLike<unknown>): Promise<{ value?: unknown; error?: unknown; rejected: boolean }> =>
  Promise.resolve(p).then(
    (value) => ({ value, rejected: false }),
    (error: unknown) => ({ error, rejected: true }),
  );

/** Read the first message of a port received from the worker, or fail after `ms`. */
function firstMessage(port: MessagePort, ms: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      port.close();
      reject(new Error(`no message on the transferred port within ${ms} ms`));
    }, ms);
    port.onmessage = (e) => {
      clearTimeout(timer);
      port.close();
      resolve(e.data);
    };
  });
}

export const protocolCases: Case[] = [
  {
    name: 'data a task posts on its runtime channel outside the protocol is ignored, and the pool keeps working',
    async run({ make, target }) {
      const ex = make({ maxWorkers: 1 });
      const isolated = target.capabilities.isolation !== 'none';
      for (const kind of ['object', 'nullArray', 'null', 'string', 'number', 'lookalike']) {
        const channel = await ex.submit('postForeign', [kind]);
        if (isolated) assert.ok(channel !== 'none', `the task found no channel of its own on an isolated backend (${kind})`);
        else assert.equal(channel, 'none', 'an inline task has no channel of its own');
      }
      assert.deepEqual(await Promise.all([ex.tasks.inc(1), ex.tasks.add(2, 3)]), [2, 5]);
    },
  },
  {
    name: 'a forged protocol batch with a malformed message stops its worker with a ProtocolError cause, and the pool keeps working',
    async run({ make, target }) {
      const ex = make({ maxWorkers: 1 });
      const r = await outcome(ex.submit('postForeign', ['forged']));
      if (target.capabilities.isolation === 'none') assert.equal(r.value, 'none');
      else {
        assert.ok(r.rejected, `the task should fail with its worker, got ${String(r.value)}`);
        assert.ok(r.error instanceof WorkerCrashedError, `expected a WorkerCrashedError, got ${String(r.error)}`);
        const cause = (r.error as WorkerCrashedError).cause;
        assert.ok(cause instanceof ProtocolError && cause.code === 'ERR_OFFLOAD_PROTOCOL', `expected a ProtocolError cause, got ${String(cause)}`);
      }
      assert.equal(await ex.tasks.inc(41), 42);
    },
  },
  {
    name: 'a forged error message whose cause or error list is malformed stops its worker with a ProtocolError cause; the caller and the pool keep working',
    async run({ make, target }) {
      const ex = make({ maxWorkers: 1 });
      for (const kind of ['forgedCause', 'forgedErrors']) {
        const r = await outcome(ex.submit('postForeign', [kind]));
        if (target.capabilities.isolation === 'none') assert.equal(r.value, 'none');
        else {
          assert.ok(r.error instanceof WorkerCrashedError, `${kind}: expected a WorkerCrashedError, got ${String(r.error ?? r.value)}`);
          const cause = (r.error as WorkerCrashedError).cause;
          assert.ok(cause instanceof ProtocolError, `${kind}: expected a ProtocolError cause, got ${String(cause)}`);
        }
        assert.equal(await ex.tasks.inc(41), 42);
      }
    },
  },
  {
    name: 'results that share a batch with an uncloneable one keep their transfer lists (ports and buffers arrive intact)',
    needs: ['transfer'],
    async run({ make }) {
      const ex = make({ maxWorkers: 1, concurrentTasksPerWorker: 4 });
      await ex.tasks.inc(0);
      // The first result leaves alone; the three others settle in the same tick and share one batch.
      const [plain, fn, port, buffer] = await Promise.all(['plain', 'function', 'port', 'buffer'].map((kind) => outcome(ex.submit('together', [kind, 30]))));
      assert.equal(plain?.value, 'plain');
      assert.ok(fn?.error instanceof SerializationError, `the uncloneable result fails alone, got ${String(fn?.error ?? fn?.value)}`);
      assert.ok(!port?.rejected, `the transferred port arrives: ${String(port?.error)}`);
      assert.equal(await firstMessage(port?.value as MessagePort, 5000), 'through the port');
      assert.ok(!buffer?.rejected, `the transferred buffer arrives: ${String(buffer?.error)}`);
      assert.deepEqual([...new Uint8Array(buffer?.value as ArrayBuffer)], [7, 7, 7, 7, 7, 7, 7, 7]);
      assert.equal(await ex.tasks.inc(1), 2);
    },
  },
  {
    name: 'arguments that share a batch with an uncloneable one keep their transfer lists',
    needs: ['transfer'],
    async run({ make }) {
      const ex = make({ maxWorkers: 1 });
      await ex.tasks.inc(0);
      const { port1, port2 } = new MessageChannel();
      const heard = firstMessage(port1, 5000);
      const bad = outcome(ex.submit('echo', [{ f: () => 1 }]));
      const good = ex.submit('answerOnPort', [port2, 'hello back'], { transfer: [port2] });
      assert.ok((await bad).error instanceof SerializationError);
      assert.equal(await good, 'answered');
      assert.equal(await heard, 'hello back');
    },
  },
];
