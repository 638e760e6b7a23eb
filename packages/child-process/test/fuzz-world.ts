import type { ChildProcess } from 'node:child_process';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { createExecutor } from '@offload/child-process';
import { type FuzzWorld, liveCounter } from '../../node-worker/test/fuzz-model.js';

const tasks = new URL('../../conformance/dist/fixtures/tasks.js', import.meta.url);
const childProcess = createRequire(import.meta.url)('node:child_process') as { fork: (...args: unknown[]) => ChildProcess };

/**
 * child-process for the fuzz: a 64 MB heap per child, so that `allocate`
 * exhausts it; live children counted by wrapping `fork` while a sequence runs.
 */
export const world: FuzzWorld = {
  backend: 'child-process',
  create: (options) => createExecutor(tasks, { ...options, inheritStdio: false, execArgv: ['--max-old-space-size=64'] }),
  countWorkers() {
    const counter = liveCounter();
    const fork = childProcess.fork;
    childProcess.fork = (...args: unknown[]) => {
      const child = fork(...args);
      counter.created(child);
      return child;
    };
    syncBuiltinESMExports();
    counter.stop = () => {
      childProcess.fork = fork;
      syncBuiltinESMExports();
    };
    return counter;
  },
};
