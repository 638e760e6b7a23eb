/**
 * Turns a failed structured clone into a {@link SerializationError} that names
 * the value that could not be sent.
 * @module
 */
import { kindOf as describe, messageOf } from './describe.js';
import { SerializationError } from './errors.js';

/**
 * Build the error for values that failed to cross the boundary.
 * @param what `argument` (caller to worker) or `result` (worker to caller)
 */
export function serializationFailure(what: 'argument' | 'result', taskName: string, values: unknown[], cause: unknown): SerializationError {
  const detail = messageOf(cause);
  if (what === 'result') {
    return new SerializationError(
      `The result of task "${taskName}" cannot be sent back to the caller (${describe(values[0])}): ${detail} Return plain data (structured-cloneable values).`,
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
  const which = index >= 0 ? `Argument ${index} (${describe(values[index])})` : 'An argument';
  return new SerializationError(`${which} of task "${taskName}" cannot be sent to a worker: ${detail} Pass plain data (structured-cloneable values).`, {
    cause,
  });
}
