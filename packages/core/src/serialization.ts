/**
 * Turns a failed structured clone into a {@link SerializationError} that names
 * the value that could not be sent.
 * @module
 */
import { SerializationError } from './errors.js';
import { describeValue } from './protocol.js';

/** What kind of value could not be sent, for the message. Never throws: reading a getter or a Proxy trap may. */
export const describeUncloneable = (value: unknown): string => {
  try {
    if (typeof value === 'function') return `a function (${value.name || 'anonymous'})`;
    if (typeof value === 'symbol') return `a symbol (${String(value)})`;
    if (value && typeof value === 'object') return `an object of class ${value.constructor?.name ?? 'Object'}`;
  } catch {
    return `${typeof value === 'function' ? 'a function' : 'an object'} that cannot be read (a revoked Proxy, or a getter or Proxy trap that throws)`;
  }
  return typeof value;
};

/** The message of what a failed clone threw, read without throwing. */
export const failureDetail = (cause: unknown): string => {
  try {
    if (cause instanceof Error) return String(cause.message);
  } catch {}
  return describeValue(cause);
};

/**
 * Build the error for values that failed to cross the boundary.
 * @param what `argument` (caller to worker) or `result` (worker to caller)
 */
export function serializationFailure(what: 'argument' | 'result', taskName: string, values: unknown[], cause: unknown): SerializationError {
  const detail = failureDetail(cause);
  if (what === 'result') {
    return new SerializationError(
      `The result of task "${taskName}" cannot be sent back to the caller (${describeUncloneable(values[0])}): ${detail} Return plain data (structured-cloneable values).`,
      { cause },
    );
  }
  let index = -1;
  for (let i = 0; i < values.length; i++) {
    try {
      structuredClone(values[i]);
    } catch {
      index = i;
      break;
    }
  }
  const which = index >= 0 ? `Argument ${index} (${describeUncloneable(values[index])})` : 'An argument';
  return new SerializationError(`${which} of task "${taskName}" cannot be sent to a worker: ${detail} Pass plain data (structured-cloneable values).`, {
    cause,
  });
}
