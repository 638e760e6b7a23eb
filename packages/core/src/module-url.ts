/**
 * Where a task module is: the one normalisation of the `moduleUrl` argument of
 * every backend's `createExecutor()`. Runtime-neutral; each backend says how a
 * string that is not a URL (a path, a relative reference) is resolved.
 * @module
 */
import { InvalidArgumentError } from './errors.js';

const NOT_A_MODULE = 'createExecutor() needs the task module as a URL, e.g. new URL("./tasks.js", import.meta.url).';

/**
 * A scheme of two or more characters (`file:`, `https:`, `data:`, `blob:`...).
 * One letter followed by a colon is a Windows drive (`C:\tasks.js`), not a scheme.
 */
const SCHEME = /^[a-z][a-z0-9+.-]+:/i;

/**
 * Normalise the task module location given to `createExecutor()` to an
 * absolute URL string: a `URL` gives its `href`; a string with a scheme is
 * parsed as a URL; any other string (a file path, a relative reference) is
 * handed to `resolve`, the runtime's way of making it absolute.
 * @throws InvalidArgumentError when `moduleUrl` is not a non-empty string or a
 *   URL, or cannot be made an absolute URL.
 */
export function moduleHref(moduleUrl: URL | string, resolve: (reference: string) => string): string {
  if (moduleUrl instanceof URL) return moduleUrl.href;
  if (typeof moduleUrl !== 'string' || moduleUrl === '') throw new InvalidArgumentError(NOT_A_MODULE);
  let href: string;
  try {
    href = SCHEME.test(moduleUrl) ? new URL(moduleUrl).href : resolve(moduleUrl);
  } catch (error) {
    throw new InvalidArgumentError(
      `The task module "${moduleUrl}" cannot be made an absolute URL (${(error as Error)?.message ?? String(error)}). ${NOT_A_MODULE}`,
    );
  }
  return href;
}

/** Characters a path may hold that mean something else in a URL. */
const URL_SPECIAL = /[%#?\t\n\r]/g;

const toUrlPath = (path: string): string => {
  const slashed = path.replaceAll('\\', '/').replace(URL_SPECIAL, encodeURIComponent);
  // A Windows drive path (C:/x) is /C:/x in a file URL.
  return /^[a-z]:\//i.test(slashed) ? `/${slashed}` : slashed;
};

/**
 * The `file:` URL of `path`, resolved against the directory `cwd` when it is
 * relative. POSIX and Windows paths (backslashes, drive letters, UNC) alike;
 * `%`, `#` and `?` are part of the file name. For runtimes without Node's
 * `pathToFileURL`.
 */
export function fileHref(path: string, cwd: string): string {
  const dir = toUrlPath(cwd).replace(/\/?$/, '/');
  // //server/share is a UNC path: its server is the URL's host.
  const base = dir.startsWith('//') ? `file:${dir}` : `file://${dir.startsWith('/') ? '' : '/'}${dir}`;
  return new URL(toUrlPath(path), base).href;
}
