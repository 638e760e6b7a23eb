/**
 * Reading and describing values that come from user code (a task's result or
 * thrown value, an argument, a cancel reason) without letting them throw.
 * A revoked Proxy, a Proxy whose traps throw, a getter that throws or an
 * object without a prototype must not turn a task's failure into a crashed
 * worker, an uncaught exception in the caller, or a Future that never settles.
 * @module
 */

/** What a value that cannot even be looked at is called in messages. */
export const UNREADABLE = '[a value that cannot be read: a revoked Proxy, or one whose traps throw]';

/** `obj[key]`, or `undefined` when reading it throws (a getter, a Proxy trap, a revoked Proxy). */
export function readSafely(obj: unknown, key: PropertyKey): unknown {
  try {
    return (obj as Record<PropertyKey, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** `value instanceof cls`, false when the check itself throws (a revoked Proxy, a throwing getPrototypeOf trap). */
export function isInstance(value: unknown, cls: abstract new (...a: never[]) => unknown): boolean {
  try {
    return value instanceof cls;
  } catch {
    return false;
  }
}

/** A real Error, including one from another realm (a `vm` context, an iframe); false for what cannot be inspected. */
export function isErrorValue(value: unknown): value is Error {
  try {
    return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]';
  } catch {
    return false;
  }
}

/** `String(value)` that cannot throw (objects without a prototype, throwing `toString`, revoked Proxies). */
export function textOf(value: unknown): string {
  try {
    return String(value);
  } catch {
    try {
      return Object.prototype.toString.call(value);
    } catch {
      return UNREADABLE;
    }
  }
}

/** The message of an Error, or the text of any other value; never throws. */
export function messageOf(value: unknown): string {
  if (isErrorValue(value)) {
    const message = readSafely(value, 'message');
    return typeof message === 'string' ? message : textOf(message);
  }
  return textOf(value);
}

/** What kind of value this is, for a message: `a function (f)`, `a symbol (Symbol(x))`, `an object of class Map`, `number`... */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'function') {
    const name = readSafely(value, 'name');
    return `a function (${typeof name === 'string' && name !== '' ? name : 'anonymous'})`;
  }
  if (typeof value === 'symbol') return `a symbol (${textOf(value)})`;
  if (value && typeof value === 'object') {
    const name = readSafely(readSafely(value, 'constructor'), 'name');
    if (typeof name === 'string' && name !== '') return `an object of class ${name}`;
    // Object.create(null), or a Proxy that cannot be read.
    return textOf(value) === UNREADABLE ? UNREADABLE : 'an object of class Object';
  }
  return typeof value;
}
