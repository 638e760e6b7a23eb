/**
 * @offload/child-process: an Offload executor over child_process.fork.
 * Each worker is a separate Node.js process: a crash, an abort or running out
 * of memory cannot take the caller down, and a stuck task is killed with SIGKILL.
 *
 * ```ts
 * import { createExecutor } from '@offload/child-process';
 * await using ex = createExecutor<Tasks>(new URL('./tasks.js', import.meta.url));
 * ```
 * @module
 */
import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type Capabilities, Executor, type ExecutorOptions, type Spawn, type TaskMap } from '@offload/core';
import { moduleTarget } from '@offload/core/node';
import { readStderr } from './stderr.js';

export * from '@offload/core';

/** What the child_process backend can do. */
export const capabilities: Capabilities = {
  backend: 'child-process',
  transfer: false,
  parallel: true,
  killRunning: true,
  isolation: 'process',
  resourceLimits: true,
  localWorkers: true,
  killMethod: 'SIGKILL to the child process',
  startup: '~40-80 ms per worker (a new Node.js process)',
  prefetch: 'none: a process shares no memory, so each worker gets only the tasks it runs at once, and the next one when a result comes back',
};

/** Options of the child_process executor. */
export interface ChildProcessOptions extends ExecutorOptions {
  /**
   * Environment of each child. Default: an empty environment, so secrets in
   * the parent's environment do not leak to workers. Pass `process.env` to share it.
   */
  env?: Record<string, string | undefined>;
  /** Node options of each child, e.g. `['--max-old-space-size=256']`. Default: none (the parent's are not inherited). */
  execArgv?: string[];
  /** Working directory of each child. Default: the parent's. */
  cwd?: string;
  /**
   * Forward the children's stdout/stderr to the parent's. Default true. Either
   * way, the first lines a child writes to stderr are kept: a child that exits
   * while loading its task module is reported with them in the `WorkerInitError`.
   */
  inheritStdio?: boolean;
}

const CHILD = fileURLToPath(new URL('./child.js', import.meta.url));

function spawnChild(moduleUrl: URL | string, options: ChildProcessOptions): Spawn {
  const { module, tsx, loadHint } = moduleTarget(moduleUrl);
  const forward = options.inheritStdio !== false;
  return (events) => {
    const child = fork(CHILD, tsx ? [module, tsx] : [module], {
      serialization: 'advanced',
      env: options.env ?? {},
      execArgv: options.execArgv ?? [],
      cwd: options.cwd,
      // stderr is piped (and forwarded), so that a child that dies while loading is reported with what it wrote.
      stdio: forward ? ['inherit', 'inherit', 'pipe', 'ipc'] : ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const stderr = readStderr(child.stderr, forward);
    let error: unknown;
    child.on('message', (batch) => events.message(batch as never));
    child.on('error', (e) => {
      error = e;
      if (child.exitCode === null && child.pid === undefined) events.exit({ error });
    });
    child.on('exit', (code, signal) => {
      void stderr.drained().then(() => events.exit({ error, exitCode: code ?? undefined, signal: signal ?? undefined, stderr: stderr.head() }));
    });
    return {
      post: (batch) => {
        child.send(batch);
      },
      terminate: () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      },
      ref: () => {
        child.ref();
        child.channel?.ref();
        stderr.ref();
      },
      unref: () => {
        child.unref();
        child.channel?.unref();
        stderr.unref();
      },
      loadHint,
    };
  };
}

/**
 * Create an executor whose workers are child processes running `moduleUrl`
 * (a module that calls `expose()`). TypeScript modules are loaded through tsx,
 * which must be installed in the project.
 */
export function createExecutor<T extends TaskMap = TaskMap>(moduleUrl: URL | string, options: ChildProcessOptions = {}): Executor<T> {
  const { env, execArgv, cwd, inheritStdio, ...rest } = options;
  return new Executor<T>(spawnChild(moduleUrl, { env, execArgv, cwd, inheritStdio }), capabilities, rest, availableParallelism());
}
