#!/usr/bin/env node
/**
 * `offload-worker --queue q --redis redis://host:6379 [--concurrency n] [--root dir] ./tasks.js`:
 * serve a BullMQ queue with the tasks of a module, on every core of this machine.
 * @module
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { InvalidArgumentError } from '@offload/core';
import { startWorker } from './worker.js';

const USAGE =
  'usage: offload-worker --queue <name> --redis <redis://host:port> [--concurrency n] [--root dir] [--prefix p] [--stalled-interval ms] [--lock-duration ms] <tasks module>';

/** A bad command line: say why, show the usage, exit with code 2 (no stack trace). */
const usageError = (why: string): never => {
  process.stderr.write(`offload-worker: ${why}\n${USAGE}\n`);
  process.exit(2);
};

const parse = () => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        queue: { type: 'string' },
        redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
        concurrency: { type: 'string' },
        root: { type: 'string' },
        prefix: { type: 'string' },
        'stalled-interval': { type: 'string' },
        'lock-duration': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return usageError((error as Error).message);
  }
};
const { values, positionals } = parse();

const modulePath = positionals[0];
if (values.help || !values.queue || !modulePath) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(values.help ? 0 : 2);
}

// A machine started on a module it does not have serves nothing: say so and exit, rather than refuse every job.
if (!existsSync(resolve(modulePath))) {
  process.stderr.write(`offload-worker: task module ${resolve(modulePath)} not found\n`);
  process.exit(1);
}

/** A whole number given as `--name n`; anything else ("abc", "", "1.5", "-2") is a usage error. */
const num = (name: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.trim())) return usageError(`--${name} must be a whole number; got "${v}"`);
  return Number(v);
};
const start = () => {
  try {
    return startWorker(pathToFileURL(resolve(modulePath)), {
      connection: values.redis as string,
      queue: values.queue as string,
      concurrency: num('concurrency', values.concurrency),
      root: values.root === undefined ? undefined : pathToFileURL(`${resolve(values.root)}/`),
      prefix: values.prefix,
      stalledInterval: num('stalled-interval', values['stalled-interval']),
      lockDuration: num('lock-duration', values['lock-duration']),
      // A kind of job this machine cannot start (its module or init fails here) goes to other machines; say which.
      log: (message) => process.stderr.write(`${message}\n`),
    });
  } catch (error) {
    if (error instanceof InvalidArgumentError) return usageError(error.message);
    throw error;
  }
};
const worker = start();

await worker.ready;
process.stdout.write(`offload-worker: serving queue "${values.queue}" (pid ${process.pid})\n`);

let stopping = false;
const stop = () => {
  if (stopping) process.exit(1);
  stopping = true;
  // Running jobs get 10 s to finish; a worker that cannot reach Redis to close exits anyway.
  setTimeout(() => process.exit(1), 10_000).unref();
  worker.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
