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

/** Does the file at this `file:` URL exist? (A runtime's `existsSync`; false when it cannot tell.) */
export type FileExists = (url: URL) => boolean;

/** The TypeScript extension TypeScript's module resolution maps each JavaScript extension to. */
const TS_OF_JS: Record<string, string> = { '.js': '.ts', '.mjs': '.mts', '.cjs': '.cts' };

/**
 * The TypeScript source of a `file:` URL that names a `.js`, `.mjs` or `.cjs`
 * file which does not exist while its `.ts`, `.mts` or `.cts` sibling does,
 * as TypeScript's own module resolution maps an import of `./tasks.js` to
 * `./tasks.ts`; otherwise `href` as it is. Only `file:` URLs are looked at
 * (a server decides what other URLs serve).
 */
export function typeScriptSource(href: string, exists: FileExists): string {
  if (!href.startsWith('file:')) return href;
  const url = new URL(href);
  const ext = /\.[mc]?js$/.exec(url.pathname)?.[0];
  if (!ext) return href;
  const source = new URL(url.href);
  source.pathname = `${url.pathname.slice(0, -ext.length)}${TS_OF_JS[ext]}`;
  const found = (u: URL): boolean => {
    try {
      return exists(u);
    } catch {
      return false;
    }
  };
  return !found(url) && found(source) ? source.href : href;
}

/**
 * Normalise the task module location given to `createExecutor()` to an
 * absolute URL string: a `URL` gives its `href`; a string with a scheme is
 * parsed as a URL; any other string (a file path, a relative reference) is
 * handed to `resolve`, the runtime's way of making it absolute. With `exists`,
 * a `file:` URL of a `.js` file that does not exist becomes its `.ts` sibling
 * when that one does (see {@link typeScriptSource}).
 * @throws InvalidArgumentError when `moduleUrl` is not a non-empty string or a
 *   URL, or cannot be made an absolute URL.
 */
export function moduleHref(moduleUrl: URL | string, resolve: (reference: string) => string, exists?: FileExists): string {
  const href = absoluteHref(moduleUrl, resolve);
  return exists ? typeScriptSource(href, exists) : href;
}

function absoluteHref(moduleUrl: URL | string, resolve: (reference: string) => string): string {
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

/** An absolute file path: POSIX `/x`, a Windows drive `C:\x` or `C:/x`, or a UNC path `\\server\share`. */
const ABSOLUTE_PATH = /^(?:\/|[a-z]:[\\/]|\\\\)/i;

/**
 * What to add to a load failure's message when the task module was given as
 * a relative path (resolved against the working directory `cwd`, giving
 * `resolved`); undefined for a URL or an absolute path, whose location says it all.
 */
export function relativePathHint(moduleUrl: URL | string, resolved: string, cwd: string): string | undefined {
  if (typeof moduleUrl !== 'string' || SCHEME.test(moduleUrl) || ABSOLUTE_PATH.test(moduleUrl)) return undefined;
  const name = moduleUrl.replace(/^\.[\\/]/, '');
  return `the path "${moduleUrl}" was resolved against the current directory ${cwd}, giving ${resolved}; to resolve it against your own module instead, pass new URL('./${name}', import.meta.url)`;
}
