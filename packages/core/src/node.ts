/**
 * Node-only helpers shared by the Node backends (worker_threads and
 * child_process): resolving the task module and tsx for TypeScript modules.
 * Compiled with Node's types, separately from the runtime-neutral core.
 * @module
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { InvalidArgumentError } from './errors.js';
import { moduleHref, relativePathHint } from './module-url.js';

const TS = /\.(c|m)?tsx?$/;

/** Where tsx's ESM API is, seen from the task module (or the current directory). */
function findTsx(moduleUrl: string): string {
  for (const from of [moduleUrl, pathToFileURL(`${process.cwd()}/`).href]) {
    try {
      // require.resolve finds the CommonJS build; its ESM twin sits beside it.
      const cjs = createRequire(from).resolve('tsx/esm/api');
      return pathToFileURL(cjs.replace(/\.cjs$/, '.mjs')).href;
    } catch {}
  }
  throw new InvalidArgumentError(
    `The task module ${moduleUrl} is TypeScript, and Node cannot load it in a worker without tsx. Install tsx in your project (npm i -D tsx), or point createExecutor at the built .js file.`,
  );
}

/** Does the file at this `file:` URL exist? */
const fileExists = (url: URL): boolean => existsSync(fileURLToPath(url));

/**
 * Normalize a task module location to a URL string (a file path becomes a
 * `file:` URL, resolved against the working directory; a `.js` file that does
 * not exist becomes its `.ts` sibling when that one does; see {@link moduleHref}),
 * and find tsx when the module is TypeScript. `loadHint` says how a relative
 * path was resolved, for the message of a module that cannot load.
 */
export function moduleTarget(moduleUrl: URL | string): { module: string; tsx: string | undefined; loadHint: string | undefined } {
  const module = moduleHref(moduleUrl, (path) => pathToFileURL(path).href, fileExists);
  const tsx = TS.test(new URL(module).pathname) ? findTsx(module) : undefined;
  return { module, tsx, loadHint: relativePathHint(moduleUrl, fileURLToPath(module), process.cwd()) };
}
