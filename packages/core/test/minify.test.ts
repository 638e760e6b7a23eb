import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as source from '../src/errors.js';
import { decodeError as sourceDecode, encodeError as sourceEncode } from '../src/protocol.js';

/** esbuild, as installed for vite (no extra dependency). */
const require = createRequire(import.meta.url);
const esbuild = createRequire(require.resolve('vite'))('esbuild') as { build(options: Record<string, unknown>): Promise<unknown> };

const dist = fileURLToPath(new URL('../dist/', import.meta.url));

type Errors = typeof source & { encodeError: typeof sourceEncode; decodeError: typeof sourceDecode };

/** One instance of every Offload error class, built from a module's own classes. */
const instances = (m: Errors): [string, source.OffloadError, abstract new (...a: never[]) => source.OffloadError][] => [
  ['OffloadError', new m.OffloadError('ERR_OFFLOAD_PROTOCOL', 'base'), m.OffloadError],
  ['CancelledError', new m.CancelledError(), m.CancelledError],
  ['TimeoutError', new m.TimeoutError(5), m.TimeoutError],
  ['WorkerCrashedError', new m.WorkerCrashedError('crashed', { exitCode: 3 }), m.WorkerCrashedError],
  ['WorkerInitError', new m.WorkerInitError('init'), m.WorkerInitError],
  ['ExecutorShutdownError', new m.ExecutorShutdownError(), m.ExecutorShutdownError],
  ['QueueFullError', new m.QueueFullError(2), m.QueueFullError],
  ['TaskNotFoundError', new m.TaskNotFoundError('nope', ['a']), m.TaskNotFoundError],
  ['SerializationError', new m.SerializationError('clone'), m.SerializationError],
  ['InvalidArgumentError', new m.InvalidArgumentError('bad'), m.InvalidArgumentError],
  ['ProtocolError', new m.ProtocolError('wire'), m.ProtocolError],
];

describe('error classes under a minifier (esbuild --minify)', () => {
  let dir: string;
  let minified: Errors;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'offload-minify-'));
    const entry = join(dir, 'entry.mjs');
    await writeFile(
      entry,
      `export * from ${JSON.stringify(join(dist, 'errors.js'))};\nexport { encodeError, decodeError } from ${JSON.stringify(join(dist, 'protocol.js'))};\n`,
    );
    const outfile = join(dir, 'bundle.min.mjs');
    await esbuild.build({ entryPoints: [entry], bundle: true, minify: true, format: 'esm', platform: 'neutral', outfile, logLevel: 'silent' });
    minified = (await import(pathToFileURL(outfile).href)) as Errors;
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the bundle really renames the classes', () => {
    expect(minified.CancelledError.name).not.toBe('CancelledError');
  });

  it('every class keeps its literal name', () => {
    for (const [name, error] of instances(minified)) expect(error.name).toBe(name);
  });

  it('every class comes back as itself, with its name and code, after a round trip within the bundle', () => {
    for (const [name, error, cls] of instances(minified)) {
      const back = minified.decodeError(structuredClone(minified.encodeError(error))) as source.OffloadError;
      expect(back).toBeInstanceOf(cls);
      expect([back.name, back.code, back.message]).toEqual([name, error.code, error.message]);
    }
  });

  it('an error raised in a minified worker bundle is re-created as the caller’s own class (and back)', () => {
    const sourceClasses = new Map(instances(source as Errors).map(([name, , cls]) => [name, cls]));
    const minifiedClasses = new Map(instances(minified).map(([name, , cls]) => [name, cls]));
    for (const [name, error] of instances(minified)) {
      expect(sourceDecode(structuredClone(minified.encodeError(error)))).toBeInstanceOf(sourceClasses.get(name));
    }
    for (const [name, error] of instances(source as Errors)) {
      expect(minified.decodeError(structuredClone(sourceEncode(error)))).toBeInstanceOf(minifiedClasses.get(name));
    }
  });
});
