/**
 * A value structured clone keeps but devalue cannot encode (a Blob) in a
 * task's result, or among a thrown error's properties: the result rejects with
 * SerializationError, the error keeps its class, message and encodable
 * properties (the others are described), and the machine keeps serving.
 */
import { createExecutor, SerializationError } from '@offload/bullmq';
import { describe, expect, it } from 'vitest';
import { decodeFailure, encodeFailure } from '../src/codec.js';
import { redisMissing, required, workerMachine } from './cluster.js';

const effects = new URL('./fixtures/effects.mjs', import.meta.url);
const why = redisMissing();
if (why && !required) console.log(`[offload] skipping bullmq unencodable-values tests: ${why}. Set OFFLOAD_REQUIRE_RUNTIMES=1 to make this a failure.`);

describe('bullmq codec: an error holding a value devalue cannot encode', () => {
  it('keeps its class, code, message, cause and encodable properties; the others are described', () => {
    const cause = Object.assign(new TypeError('inner'), { blob: new Blob(['x']) });
    const e = Object.assign(new SerializationError('outer', { cause }), { blob: new Blob(['y']), n: 5 });
    const back = (decodeFailure(encodeFailure(e)) as { thrown: SerializationError & { blob: unknown; n: number } }).thrown;
    expect(back).toBeInstanceOf(SerializationError);
    expect([back.code, back.message, back.n, back.blob]).toEqual(['ERR_OFFLOAD_SERIALIZATION', 'outer', 5, '[object Blob]']);
    expect(back.cause).toBeInstanceOf(TypeError);
    expect((back.cause as Error & { blob: unknown }).blob).toBe('[object Blob]');
  });
});

describe.skipIf(Boolean(why) && !required)('bullmq: values devalue cannot encode, made on the worker machine', () => {
  const machine = workerMachine('unencodable', effects, why);
  const queue = 'unencodable';

  it('a result holding a Blob rejects with SerializationError; an error holding one keeps its class; the machine keeps serving', async () => {
    await using ex = createExecutor(effects, { connection: machine.url, queue });
    const result = await ex.submit('blob', []).then(
      () => 'fulfilled',
      (e: unknown) => e,
    );
    expect(result).toBeInstanceOf(SerializationError);
    expect((result as SerializationError).code).toBe('ERR_OFFLOAD_SERIALIZATION');
    const error = await ex.submit('throwWithBlob', []).then(
      () => 'fulfilled',
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RangeError);
    expect(error).toMatchObject({ message: 'with a blob', n: 5, blob: '[object Blob]' });
    expect(await ex.submit('mark', [`${machine.dir}/after.txt`, 'served'])).toBe('served');
  });
});
