/**
 * Job data and results travel through Redis as strings. Offload's contract is
 * structured clone, so values are encoded with devalue (Map, Set, BigInt, Date,
 * RegExp, typed arrays, ArrayBuffer, undefined, NaN, cycles), and errors with
 * core's error encoding (class name, message, stack, cause, own properties).
 * @module
 */
import { decodeError, type EncodedError, encodeError } from '@offload/core/backend';
import { parse, stringify } from 'devalue';

const isError = (v: unknown): v is Error => v instanceof Error || Object.prototype.toString.call(v) === '[object Error]';

const reducers = { OffloadErr: (v: unknown) => (isError(v) ? encodeError(v) : undefined) };
const revivers = { OffloadErr: (v: EncodedError) => decodeError(v) };

/** Encode a value; throws (devalue's error) when it holds something structured clone refuses (a function, a symbol). */
export function encode(value: unknown): string {
  return stringify(value, reducers);
}

/** Decode what {@link encode} produced. */
export function decode(text: string): unknown {
  return parse(text, revivers);
}

/** Prefix of a failed job's reason that carries an encoded error (BullMQ keeps only a string). */
export const ERROR_MARK = 'offload:error:';

const encodable = (v: unknown): boolean => {
  try {
    encode(v);
    return true;
  } catch {
    return false;
  }
};

/** What stands for a value devalue cannot encode (one structured clone keeps, a Blob say): its description. */
const describe = (v: unknown): string => (typeof v === 'string' ? v : Object.prototype.toString.call(v));

/**
 * The error with each value devalue cannot encode replaced by its description:
 * its class, message, stack, cause and the other properties still travel.
 */
function encodableError(e: EncodedError): EncodedError {
  const out: EncodedError = { name: e.name, message: e.message };
  if (e.stack !== undefined) out.stack = e.stack;
  if (e.thrown) out.thrown = encodable(e.thrown.value) ? e.thrown : { value: describe(e.thrown.value) };
  if (e.cause) out.cause = 'name' in e.cause ? encodableError(e.cause) : encodable(e.cause.value) ? e.cause : { value: describe(e.cause.value) };
  if (e.errors) out.errors = e.errors.map(encodableError);
  if (e.props) out.props = Object.fromEntries(Object.entries(e.props).map(([k, v]) => [k, encodable(v) ? v : describe(v)]));
  return out;
}

/** Encode a thrown value as a failure reason. */
export function encodeFailure(error: unknown): string {
  const encoded = encodeError(error);
  let text: string;
  try {
    text = encode(encoded);
  } catch {
    text = encode(encodableError(encoded));
  }
  return ERROR_MARK + text;
}

/** Decode a failure reason: the thrown value (any value, `null` included), or undefined when BullMQ wrote the reason itself. */
export function decodeFailure(reason: string | undefined): { thrown: unknown } | undefined {
  if (!reason?.startsWith(ERROR_MARK)) return undefined;
  return { thrown: decodeError(decode(reason.slice(ERROR_MARK.length)) as EncodedError) };
}
