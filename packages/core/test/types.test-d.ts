/**
 * Type tests of the task-type inference: what `submit`, `map` and the typed
 * proxy accept and return for the tasks a module exposes. Checked by tsc
 * through vitest's typecheck (the `types` project); nothing here runs.
 */
import { describe, expectTypeOf, test } from 'vitest';
import type { Executor, TaskProxy } from '../src/executor.js';
import type { Future } from '../src/future.js';
import { createInlineExecutor, type InlineExecutor } from '../src/inline.js';
import type { MapIterator } from '../src/map.js';
import type { TaskArgs, TaskMap, TaskResult, Transferred } from '../src/options.js';
import type { TaskStream } from '../src/stream.js';
import { expose, type TaskContext, transfer } from '../src/worker.js';

const tasks = expose({
  add: (a: number, b: number) => a + b,
  greet: (name: string, punctuation?: string) => `hello ${name}${punctuation ?? ''}`,
  length: async (text: string) => text.length,
  sum: (...xs: number[]) => xs.reduce((a, b) => a + b, 0),
  now: () => Date.now(),
  nothing: () => {},
  echo: <V>(value: V) => value,
  buffer: (size: number) => {
    const b = new ArrayBuffer(size);
    return transfer(b, [b]);
  },
  bufferLater: async (size: number) => {
    const b = new Uint8Array(size);
    return transfer({ bytes: b, size }, [b.buffer]);
  },
  withContext(this: TaskContext, ms: number) {
    return this.taskId + ms;
  },
  toString: () => 'a task called toString',
  *primes(limit: number) {
    for (let n = 2; n < limit; n++) yield n;
  },
  async *words(text: string) {
    for (const w of text.split(' ')) yield w;
  },
  *buffers(count: number) {
    for (let i = 0; i < count; i++) {
      const b = new ArrayBuffer(8);
      yield transfer(b, [b]);
    }
  },
});
type Tasks = typeof tasks;
declare const ex: Executor<Tasks>;

describe('expose', () => {
  test('returns the tasks with their own types', () => {
    expectTypeOf(tasks.add).toEqualTypeOf<(a: number, b: number) => number>();
    expectTypeOf(tasks.buffer).returns.toEqualTypeOf<Transferred<ArrayBuffer>>();
  });

  test('accepts functions only', () => {
    // @ts-expect-error a task is a function
    expose({ answer: 42 });
    // @ts-expect-error a task is a function
    expose({ ok: () => 1, text: 'x' });
  });
});

describe('submit', () => {
  test('takes the task arguments and returns a Future of the awaited result', () => {
    expectTypeOf(ex.submit('add', [1, 2])).toEqualTypeOf<Future<number>>();
    expectTypeOf(ex.submit('length', ['abc'])).toEqualTypeOf<Future<number>>();
    expectTypeOf(ex.submit('greet', ['x'])).toEqualTypeOf<Future<string>>();
    expectTypeOf(ex.submit('greet', ['x', '!'])).toEqualTypeOf<Future<string>>();
    expectTypeOf(ex.submit('sum', [])).toEqualTypeOf<Future<number>>();
    expectTypeOf(ex.submit('sum', [1, 2, 3])).toEqualTypeOf<Future<number>>();
    expectTypeOf(ex.submit('now', [])).toEqualTypeOf<Future<number>>();
    expectTypeOf(ex.submit('nothing', [])).toEqualTypeOf<Future<void>>();
    expectTypeOf(ex.submit('withContext', [5])).toEqualTypeOf<Future<number>>();
    expectTypeOf(ex.submit('toString', [])).toEqualTypeOf<Future<string>>();
  });

  test('a task returning transfer(x, [...]) resolves to the type of x, sync or async', () => {
    expectTypeOf(ex.submit('buffer', [8])).toEqualTypeOf<Future<ArrayBuffer>>();
    expectTypeOf(ex.submit('bufferLater', [8])).toEqualTypeOf<Future<{ bytes: Uint8Array<ArrayBuffer>; size: number }>>();
    expectTypeOf<TaskResult<Tasks, 'bufferLater'>>().toEqualTypeOf<{ bytes: Uint8Array<ArrayBuffer>; size: number }>();
  });

  test('wrong names and arguments do not compile', () => {
    // @ts-expect-error no such task
    ex.submit('nope', []);
    // @ts-expect-error a string where a number goes
    ex.submit('add', ['1', 2]);
    // @ts-expect-error too few arguments
    ex.submit('add', [1]);
    // @ts-expect-error too many arguments
    ex.submit('add', [1, 2, 3]);
    // @ts-expect-error the arguments are an array
    ex.submit('length', 'abc');
    // @ts-expect-error a task without parameters takes []
    ex.submit('now', [1]);
    // @ts-expect-error sum takes numbers only
    ex.submit('sum', [1, '2']);
  });
});

describe('the typed proxy', () => {
  test('has one method per task, returning a Future of the result', () => {
    expectTypeOf(ex.tasks.add).toEqualTypeOf<(a: number, b: number) => Future<number>>();
    expectTypeOf(ex.tasks.length).toEqualTypeOf<(text: string) => Future<number>>();
    expectTypeOf(ex.tasks.greet).parameters.toEqualTypeOf<[name: string, punctuation?: string]>();
    expectTypeOf(ex.tasks.buffer(8)).toEqualTypeOf<Future<ArrayBuffer>>();
    expectTypeOf(ex.tasks.bufferLater(8)).resolves.toEqualTypeOf<{ bytes: Uint8Array<ArrayBuffer>; size: number }>();
    expectTypeOf(ex.tasks.echo('x')).toEqualTypeOf<Future<unknown>>();
  });

  test('names every object has are not tasks on the proxy (submit() still runs them)', () => {
    expectTypeOf<keyof TaskProxy<Tasks>>().toEqualTypeOf<
      'add' | 'greet' | 'length' | 'sum' | 'now' | 'nothing' | 'echo' | 'buffer' | 'bufferLater' | 'withContext' | 'primes' | 'words' | 'buffers'
    >();
    expectTypeOf(ex.tasks.toString).toEqualTypeOf<() => string>();
    expectTypeOf(ex.tasks).not.toHaveProperty('then');
  });

  test('wrong names and arguments do not compile', () => {
    // @ts-expect-error no such task
    ex.tasks.nope();
    // @ts-expect-error a string where a number goes
    ex.tasks.add('1', 2);
    // @ts-expect-error too few arguments
    ex.tasks.add(1);
  });
});

describe('streams and progress', () => {
  test('stream() yields the items of a generator task, sync or async, transfer() unwrapped', async () => {
    expectTypeOf(ex.stream('primes', [10])).toEqualTypeOf<TaskStream<number>>();
    expectTypeOf(ex.stream('words', ['a b'], { highWaterMark: 4 })).toEqualTypeOf<TaskStream<string>>();
    expectTypeOf(ex.stream('buffers', [2])).toEqualTypeOf<TaskStream<ArrayBuffer>>();
    for await (const p of ex.stream('primes', [10])) expectTypeOf(p).toEqualTypeOf<number>();
    expectTypeOf(ex.stream('primes', [10]).finished).toEqualTypeOf<Promise<void>>();
    expectTypeOf(ex.stream('primes', [10]).cancel).toEqualTypeOf<(reason?: unknown) => boolean>();
    // @ts-expect-error a string where a number goes
    ex.stream('primes', ['10']);
    // @ts-expect-error highWaterMark is a number
    ex.stream('primes', [10], { highWaterMark: '4' });
  });

  test('stream() of a plain task yields its result', () => {
    expectTypeOf(ex.stream('add', [1, 2])).toEqualTypeOf<TaskStream<number>>();
    expectTypeOf(ex.stream('bufferLater', [1])).toEqualTypeOf<TaskStream<{ bytes: Uint8Array<ArrayBuffer>; size: number }>>();
  });

  test('the typed proxy returns a TaskStream for generator tasks and a Future for the others', () => {
    expectTypeOf(ex.tasks.primes(10)).toEqualTypeOf<TaskStream<number>>();
    expectTypeOf(ex.tasks.words('a b')).toEqualTypeOf<TaskStream<string>>();
    expectTypeOf(ex.tasks.buffers(1)).toEqualTypeOf<TaskStream<ArrayBuffer>>();
    expectTypeOf(ex.tasks.add(1, 2)).toEqualTypeOf<Future<number>>();
    expectTypeOf(ex.tasks.primes(10)).not.toHaveProperty('then');
  });

  test('onProgress is a task and map option; progress() is on the task context', () => {
    ex.submit('add', [1, 2], { onProgress: (v) => expectTypeOf(v).toEqualTypeOf<unknown>() });
    ex.map('length', ['a'], { onProgress: () => {} });
    expectTypeOf<TaskContext['progress']>().toEqualTypeOf<(value: unknown) => void>();
    // @ts-expect-error onProgress is a function
    ex.submit('add', [1, 2], { onProgress: 1 });
  });
});

describe('map', () => {
  test('takes inputs of the first argument and yields results', async () => {
    expectTypeOf(ex.map('length', ['a', 'bc'])).toEqualTypeOf<MapIterator<number>>();
    expectTypeOf(ex.map('buffer', [1, 2])).toEqualTypeOf<MapIterator<ArrayBuffer>>();
    async function* names() {
      yield 'a';
    }
    for await (const n of ex.map('length', names(), { ordered: false })) expectTypeOf(n).toEqualTypeOf<number>();
    // @ts-expect-error numbers where strings go
    ex.map('length', [1, 2]);
    // @ts-expect-error no such task
    ex.map('nope', [1]);
  });
});

describe('executors built from tasks or untyped', () => {
  test('createInlineExecutor infers the tasks from the object', () => {
    const inline = createInlineExecutor(tasks);
    expectTypeOf(inline).toEqualTypeOf<InlineExecutor<Tasks>>();
    expectTypeOf(inline.tasks.add(1, 2)).toEqualTypeOf<Future<number>>();
  });

  test('an executor without a task type takes any name and arguments and returns unknown', () => {
    const untyped = {} as Executor;
    expectTypeOf(untyped).toEqualTypeOf<Executor<TaskMap>>();
    expectTypeOf(untyped.submit('anything', [1, 'two', { three: 3 }])).toEqualTypeOf<Future<unknown>>();
    expectTypeOf(untyped.submit('none', [])).toEqualTypeOf<Future<unknown>>();
    expectTypeOf(untyped.tasks.anything(1, 2)).toEqualTypeOf<Future<unknown>>();
    expectTypeOf(untyped.map('anything', [1, 'x'])).toEqualTypeOf<MapIterator<unknown>>();
    expectTypeOf<TaskArgs<TaskMap, string>>().toEqualTypeOf<unknown[]>();
    // @ts-expect-error the arguments are still an array
    untyped.submit('anything', 1);
  });
});
