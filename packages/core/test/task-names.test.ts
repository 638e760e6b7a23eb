import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { TaskNotFoundError } from '../src/errors.js';
import { InlineExecutor } from '../src/inline.js';
import { findTask } from '../src/task-names.js';

const inheritedNames = [...new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__'])];

describe('findTask', () => {
  const inc = (x: number) => x + 1;

  it('finds own function properties, enumerable or not', () => {
    const tasks = Object.defineProperty({ inc }, 'hidden', { value: inc, enumerable: false });
    expect(findTask(tasks, 'inc')).toBe(inc);
    expect(findTask(tasks, 'hidden')).toBe(inc);
  });

  it('finds nothing inherited, nothing that is not a function, and no non-string name', () => {
    const tasks = Object.assign(Object.create({ inherited: inc }), { inc, answer: 42 });
    for (const name of [...inheritedNames, 'inherited', 'answer', 'missing']) expect(findTask(tasks, name), name).toBeUndefined();
    expect(findTask(tasks, Symbol.iterator)).toBeUndefined();
    expect(findTask(tasks, 0)).toBeUndefined();
  });
});

describe('InlineExecutor task lookup', () => {
  it('rejects every Object.prototype name with TaskNotFoundError and keeps working', async () => {
    await using ex = new InlineExecutor({ inc: (x: number) => x + 1 });
    const outcomes = await Promise.allSettled(inheritedNames.map((name) => ex.submit(name as 'inc', [] as never)));
    outcomes.forEach((o, i) => {
      expect(o.status, inheritedNames[i]).toBe('rejected');
      expect((o as PromiseRejectedResult).reason, inheritedNames[i]).toBeInstanceOf(TaskNotFoundError);
    });
    expect(await ex.tasks.inc(1)).toBe(2);
  });
});

describe('the typed proxy (executor.tasks)', () => {
  const counters = (ex: InlineExecutor) => {
    const { completed, failed, cancelled, queued, running } = ex.stats();
    return { completed, failed, cancelled, queued, running };
  };

  it('submits nothing when converted, serialised, awaited or inspected', async () => {
    await using ex = new InlineExecutor({ inc: (x: number) => x + 1 });
    const before = counters(ex);
    const proxy = ex.tasks;
    expect(String(proxy)).toBe('[object TaskProxy]');
    expect(`${proxy}`).toBe('[object TaskProxy]');
    expect(proxy + '').toBe('[object TaskProxy]');
    expect(JSON.stringify(proxy)).toBe('{}');
    expect(JSON.stringify({ proxy })).toBe('{"proxy":{}}');
    expect(inspect(proxy)).toContain('TaskProxy');
    expect(await proxy).toBe(proxy);
    expect(await Promise.resolve(proxy)).toBe(proxy);
    expect(proxy.valueOf()).toBe(proxy);
    // Let anything that was submitted run and be counted.
    await new Promise((r) => setTimeout(r, 20));
    expect(counters(ex)).toEqual(before);
    expect(await proxy.inc(1)).toBe(2);
    expect(counters(ex)).toMatchObject({ completed: before.completed + 1, failed: 0 });
  });

  it('answers no task for symbols, then, toJSON or any Object.prototype name', () => {
    const ex = new InlineExecutor({ inc: (x: number) => x + 1 });
    const proxy = ex.tasks as unknown as Record<string | symbol, unknown>;
    for (const key of [Symbol.toPrimitive, Symbol.iterator, Symbol.asyncIterator, inspect.custom, 'then', 'toJSON']) {
      expect(proxy[key], String(key)).toBeUndefined();
    }
    for (const name of inheritedNames) expect(proxy[name], name).toBe(Reflect.get(Object.prototype, name, proxy));
    expect(typeof proxy.inc).toBe('function');
    expect(typeof proxy.anyOtherName).toBe('function');
    return ex.shutdown();
  });
});
