/**
 * Why a browser Worker's task module did not load. Browsers give the `error`
 * event of a module that cannot be fetched or evaluated no detail at all, so
 * the module is fetched once more to tell a missing file (HTTP 404) and a file
 * that is not JavaScript (a bundler's raw copy of `tasks.ts`) apart, and the
 * message names the fix: the `offloadWorkers()` Vite plugin.
 * @module
 */
import { WorkerInitError } from '@offload/core';

/** What to do about a task module that a production build did not bundle. */
export const BUNDLER_HINT =
  "In a production build, bundlers copy new URL('./tasks.ts', import.meta.url) as a raw file instead of bundling it as a worker: with Vite, add the offloadWorkers() plugin (import { offloadWorkers } from '@offload/browser/vite'; plugins: [offloadWorkers()], worker: { format: 'es' }); with another bundler, pass a function: createExecutor(() => new Worker(new URL('./tasks.ts', import.meta.url), { type: 'module' })).";

const JAVASCRIPT = /^(?:text|application)\/(?:javascript|ecmascript|x-javascript)\b/i;

/** Fetch `url` again and say why a module Worker could not load it. Never rejects. */
export async function describeLoadFailure(url: string, credentials?: RequestCredentials): Promise<WorkerInitError> {
  let why: string;
  try {
    const response = await fetch(url, credentials ? { credentials } : {});
    const type = response.headers.get('content-type') ?? 'no content type';
    if (!response.ok) why = `the server answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
    else if (!JAVASCRIPT.test(type)) why = `it is served as ${type}, not as JavaScript`;
    else why = 'it threw while loading, or one of its imports could not be loaded (the browser gives no detail; see the console)';
  } catch (error) {
    why = `it could not be fetched (${error instanceof Error ? error.message : String(error)})`;
  }
  // A bundler may inline a small asset as a data: URL: name its start only.
  const shown = url.length > 120 ? `${url.slice(0, 60)}...` : url;
  return new WorkerInitError(`The task module ${shown} could not be loaded: ${why}. ${BUNDLER_HINT}`);
}

/** Marks the error event this module dispatches itself, so that it is not looked into again. */
const DESCRIBED = Symbol('offload.described');

/**
 * Watch a module Worker made on `url`: an `error` event without detail (the
 * module could not be fetched or evaluated) is held back while the module is
 * fetched again, then dispatched again with a {@link WorkerInitError} that
 * says why. Call before the executor's transport listens to the worker.
 */
export function explainLoadFailures(worker: Worker, url: string, credentials?: RequestCredentials): void {
  worker.addEventListener('error', (event) => {
    if ((event as ErrorEvent & { [DESCRIBED]?: true })[DESCRIBED] || event.error || event.message) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    void describeLoadFailure(url, credentials).then((error) => {
      const described = new ErrorEvent('error', { error, message: error.message, cancelable: true });
      Object.defineProperty(described, DESCRIBED, { value: true });
      worker.dispatchEvent(described);
    });
  });
}
