/**
 * Which names are tasks. On the worker side, a task is an own property of the
 * object given to `expose()` whose value is a function: nothing inherited
 * (`constructor`, `toString`, `__proto__`, ...) can be called by name. On the
 * caller side, the typed proxy (`executor.tasks`) leaves alone the names that
 * the language and common tools read on any object (see {@link isProxyReserved}).
 * @module
 */

/** A task function as the worker calls it. */
export type TaskFunction = (...args: unknown[]) => unknown;

/**
 * The task called `name` in `tasks`: an own property whose value is a
 * function, or `undefined` (inherited names, `__proto__`, non-functions).
 */
export function findTask(tasks: object, name: unknown): TaskFunction | undefined {
  if (typeof name !== 'string' || !Object.hasOwn(tasks, name)) return undefined;
  const fn = (tasks as Record<string, unknown>)[name];
  return typeof fn === 'function' ? (fn as TaskFunction) : undefined;
}

/**
 * Names the typed proxy never turns into tasks, so that `String()`, template
 * literals, `JSON.stringify`, `await` and inspection of `executor.tasks` submit
 * nothing: every name of `Object.prototype`, `then` (so the proxy is not a
 * thenable) and `toJSON`. Symbols are never tasks either. Tasks of these names
 * can still be run with `submit()`.
 */
export type ProxyReservedName =
  | 'then'
  | 'toJSON'
  | 'constructor'
  | 'toString'
  | 'toLocaleString'
  | 'valueOf'
  | 'hasOwnProperty'
  | 'isPrototypeOf'
  | 'propertyIsEnumerable'
  | '__proto__'
  | '__defineGetter__'
  | '__defineSetter__'
  | '__lookupGetter__'
  | '__lookupSetter__';

/** True when the typed proxy must not answer `key` with a task (see {@link ProxyReservedName}). */
export function isProxyReserved(key: string | symbol): boolean {
  return typeof key === 'symbol' || key === 'then' || key === 'toJSON' || key in Object.prototype;
}

/**
 * The typed proxy over a module's tasks: each name (but the reserved ones) is a
 * function that runs the task through `run`, cached per name.
 */
export function createTaskProxy<P>(run: (name: string, args: unknown[]) => unknown): P {
  const cache = new Map<string, (...args: unknown[]) => unknown>();
  const target = Object.defineProperty({}, Symbol.toStringTag, { value: 'TaskProxy' });
  return new Proxy(target, {
    get: (t, key) => {
      if (isProxyReserved(key)) return Reflect.get(t, key);
      const name = key as string;
      let fn = cache.get(name);
      if (!fn) {
        fn = (...args: unknown[]) => run(name, args);
        cache.set(name, fn);
      }
      return fn;
    },
  }) as P;
}
