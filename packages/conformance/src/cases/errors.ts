import { InvalidArgumentError, SerializationError, TaskNotFoundError } from '@offload/core';
import { hostileValue } from '../fixtures/hostile.js';
import { assert, type Case } from '../harness.js';

export const errorCases: Case[] = [
  {
    name: 'built-in error classes arrive as themselves',
    async run({ make }) {
      const ex = make({ maxWorkers: 1 });
      const t = await assert.rejects(ex.submit('throwError', ['TypeError', 'bad type']), TypeError);
      assert.equal(t.message, 'bad type');
      const r = await assert.rejects(ex.submit('throwError', ['RangeError', 'out']), RangeError);
      assert.equal(r.name, 'RangeError');
      const s = await ex.submit('throwError', ['string', 'plain']).catch((e: unknown) => e);
      assert.equal(s, 'plain', 'a thrown non-Error value arrives as is');
    },
  },
  {
    name: 'thrown values that are not Errors come back as they were thrown (objects with a message key included)',
    async run({ make }) {
      const ex = make({ maxWorkers: 1 });
      const values: unknown[] = [{ message: 'x', code: 7 }, 'a string', 42, 0, false, null, undefined, [1, 'a', { b: null }], { nested: { list: [1, 2] } }];
      for (const task of ['throwValue', 'rejectValue'] as const) {
        for (const v of values) {
          const back = await ex.submit(task, [v]).then(
            () => ({ rejected: false, error: undefined }),
            (error: unknown) => ({ rejected: true, error }),
          );
          assert.ok(back.rejected, `${task} rejects`);
          assert.ok(!(back.error instanceof Error), `${task}(${JSON.stringify(v)}) came back as an Error`);
          assert.deepEqual(back.error, v, task);
        }
      }
    },
  },
  {
    name: 'custom errors keep name, message, cause, own properties and the worker stack',
    async run({ make }) {
      const ex = make({ maxWorkers: 1 });
      const e = (await assert.rejects(ex.submit('throwError', ['custom', 'it broke']), Error)) as Error & Record<string, unknown>;
      assert.equal(e.name, 'CustomError');
      assert.equal(e.message, 'it broke');
      assert.equal(e.code, 'E_CUSTOM');
      assert.deepEqual(e.detail, { level: 3 });
      assert.ok(e.when instanceof Date);
      assert.ok(e.cause instanceof RangeError && e.cause.message === 'the cause', 'cause is re-created');
      assert.ok(typeof e.stack === 'string' && e.stack.includes('throwError'), `stack has the worker frame: ${e.stack}`);
    },
  },
  {
    name: 'an unknown task name rejects with TaskNotFoundError listing the exposed tasks',
    async run({ make }) {
      const ex = make({ maxWorkers: 1 });
      const e = await assert.rejects(ex.submit('nope' as 'add', [] as never), TaskNotFoundError, 'ERR_OFFLOAD_TASK_NOT_FOUND');
      assert.ok(e.message.includes('"nope"') && e.message.includes('add'), e.message);
      assert.equal(await ex.tasks.inc(1), 2);
    },
  },
  {
    name: 'names inherited from Object.prototype are not tasks: each rejects with TaskNotFoundError, and the pool keeps working',
    async run({ make }) {
      const ex = make({ maxWorkers: 2 });
      const names = [...new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__'])];
      const outcomes = await Promise.all(
        names.map((name) =>
          ex.submit(name as 'inc', [] as never).then(
            (value) => ({ name, value }),
            (error: unknown) => ({ name, error }),
          ),
        ),
      );
      for (const o of outcomes) {
        assert.ok(
          'error' in o && o.error instanceof TaskNotFoundError,
          `submit(${JSON.stringify(o.name)}) must reject with TaskNotFoundError; got ${'error' in o ? String(o.error) : `the value ${String(o.value)}`}`,
        );
      }
      assert.deepEqual(await Promise.all([ex.tasks.inc(1), ex.tasks.inc(2), ex.submit('add', [2, 3])]), [2, 3, 5]);
    },
  },
  {
    name: 'an uncloneable argument rejects with SerializationError naming it, and the executor keeps working',
    async run({ make }) {
      const ex = make({ maxWorkers: 1 });
      const ok1 = ex.submit('inc', [1]);
      const bad = ex.submit('echo', [{ f: () => 1 }]);
      const ok2 = ex.submit('inc', [2]);
      const e = await assert.rejects(bad, SerializationError, 'ERR_OFFLOAD_SERIALIZATION');
      assert.ok(e.message.includes('Argument 0') && e.message.includes('"echo"'), e.message);
      assert.deepEqual(await Promise.all([ok1, ok2]), [2, 3]);
      assert.equal(await ex.tasks.inc(5), 6);
    },
  },
  {
    name: 'an uncloneable result rejects with SerializationError, and the executor keeps working',
    async run({ make }) {
      const ex = make({ maxWorkers: 1 });
      const e = await assert.rejects(ex.submit('returnFunction', []), SerializationError, 'ERR_OFFLOAD_SERIALIZATION');
      assert.ok(e.message.includes('result of task "returnFunction"'), e.message);
      assert.equal(await ex.tasks.inc(1), 2);
    },
  },
  {
    name: "an Error the task renamed after an Offload class (err.name = 'TimeoutError') arrives as that kind, and settles its Future and those beside it",
    async run({ make }) {
      const ex = make({ maxWorkers: 1, concurrentTasksPerWorker: 4 });
      await ex.tasks.inc(0);
      const names = ['TimeoutError', 'CancelledError', 'WorkerCrashedError', 'OffloadError', 'TypeError', 'MyError'];
      // Thrown together, so that their results share batches with the plain result beside them.
      const settled = await Promise.allSettled([...names.map((name) => ex.submit('throwRenamed', [name])), ex.submit('sleep', [1, 'beside'])]);
      for (const [i, name] of names.entries()) {
        const r = settled[i] as PromiseSettledResult<unknown>;
        assert.equal(r.status, 'rejected', name);
        const e = (r as PromiseRejectedResult).reason as Error & { code?: string };
        assert.deepEqual([e.name, e.message, e.code], [name, `renamed ${name}`, 'E_RENAMED']);
      }
      assert.deepEqual(settled[names.length], { status: 'fulfilled', value: 'beside' });
      assert.equal(await ex.tasks.inc(1), 2);
    },
  },
  {
    name: 'invalid options throw InvalidArgumentError saying how to fix them',
    async run({ make, target }) {
      assert.throws(() => target.create(target.fixture('tasks'), { maxWorkers: 0 }), InvalidArgumentError);
      assert.throws(() => target.create(target.fixture('tasks'), { minWorkers: 3, maxWorkers: 2 }), InvalidArgumentError);
      const ex = make({ maxWorkers: 1 });
      assert.throws(() => ex.submit('add', 1 as never), InvalidArgumentError);
      assert.throws(() => ex.submit('add', [1, 2], { timeout: -1 }), InvalidArgumentError);
      // Look-alikes: a signal without addEventListener, arguments that are a revoked Proxy.
      assert.throws(() => ex.submit('add', [1, 2], { signal: { aborted: false } as AbortSignal }), InvalidArgumentError);
      assert.throws(() => ex.submit('add', hostileValue('revokedProxy') as never), InvalidArgumentError);
      assert.equal(await ex.submit('add', [1, 2]), 3);
    },
  },
  {
    name: 'map() refuses the task options submit() refuses, when it is called, and the executor keeps serving',
    async run({ make }) {
      const ex = make({ maxWorkers: 1 });
      const bad: unknown[] = [
        { timeout: -1 },
        { timeout: Number.NaN },
        { priority: Number.NaN },
        { priority: 'high' },
        { signal: {} },
        { onProgress: 3 },
        null,
        5,
      ];
      for (const options of bad) assert.throws(() => ex.map('inc', [1, 2], options as never), InvalidArgumentError, JSON.stringify(options));
      const out: unknown[] = [];
      for await (const v of ex.map('inc', [1, 2])) out.push(v);
      assert.deepEqual(out, [2, 3]);
    },
  },
];
