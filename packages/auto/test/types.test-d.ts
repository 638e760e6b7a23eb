/**
 * Type tests: `offload` declares createExecutor and capabilities once for every
 * runtime; each backend that its `exports` conditions may pick must fit that
 * declaration, and its options must be exactly the ones all backends share.
 */
import type * as browser from '@offload/browser';
import type { Executor, Future } from '@offload/core';
import type * as denoBun from '@offload/deno-bun';
import type * as nodeWorker from '@offload/node-worker';
import type * as offload from 'offload';
import { describe, expectTypeOf, test } from 'vitest';

type SharedKeys = keyof nodeWorker.NodeWorkerOptions & keyof denoBun.DenoBunOptions & keyof browser.BrowserOptions;
type Tasks = { add: (a: number, b: number) => number };

describe('offload agrees with every backend it may pick', () => {
  test('its options are the ones every backend takes, no more and no fewer', () => {
    expectTypeOf<keyof offload.OffloadOptions>().toEqualTypeOf<SharedKeys>();
    expectTypeOf<offload.OffloadOptions>().toExtend<nodeWorker.NodeWorkerOptions>();
    expectTypeOf<offload.OffloadOptions>().toExtend<denoBun.DenoBunOptions>();
    expectTypeOf<offload.OffloadOptions>().toExtend<browser.BrowserOptions>();
    expectTypeOf<'maxWorkers' | 'init' | 'name'>().toExtend<keyof offload.OffloadOptions>();
  });

  test("each backend's createExecutor and capabilities fit offload's", () => {
    expectTypeOf<typeof nodeWorker.createExecutor>().toExtend<typeof offload.createExecutor>();
    expectTypeOf<typeof denoBun.createExecutor>().toExtend<typeof offload.createExecutor>();
    expectTypeOf<typeof browser.createExecutor>().toExtend<typeof offload.createExecutor>();
    expectTypeOf<typeof nodeWorker.capabilities>().toEqualTypeOf<typeof offload.capabilities>();
    expectTypeOf<typeof denoBun.capabilities>().toEqualTypeOf<typeof offload.capabilities>();
    expectTypeOf<typeof browser.capabilities>().toEqualTypeOf<typeof offload.capabilities>();
  });

  test('createExecutor is typed by the task map', () => {
    const create = {} as typeof offload.createExecutor;
    const ex = create<Tasks>(new URL('file:///tasks.js'), { maxWorkers: 2, name: 'pool' });
    expectTypeOf(ex).toEqualTypeOf<Executor<Tasks>>();
    expectTypeOf(ex.tasks.add(1, 2)).toEqualTypeOf<Future<number>>();
    expectTypeOf(create).parameter(0).toEqualTypeOf<URL | string>();
    // @ts-expect-error a Node-only option is not portable
    create('./tasks.js', { resourceLimits: {} });
    // @ts-expect-error a Bun-only option is not portable
    create('./tasks.js', { smol: true });
    // @ts-expect-error a browser-only option is not portable
    create('./tasks.js', { credentials: 'include' });
  });
});
