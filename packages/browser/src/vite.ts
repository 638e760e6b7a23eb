/**
 * A Vite plugin that makes `createExecutor(new URL('./tasks.ts', import.meta.url))`
 * survive a production build. Vite (like webpack and Rollup) only bundles a
 * worker written as the literal `new Worker(new URL(...), { type: 'module' })`;
 * any other `new URL(..., import.meta.url)` is copied as a plain asset, so a
 * task module that imports packages (or is TypeScript) would not load. The
 * plugin rewrites the call into that literal form before Vite's worker plugin
 * runs. Dev mode works without it.
 *
 * ```ts
 * // vite.config.ts
 * import { offloadWorkers } from '@offload/browser/vite';
 * export default defineConfig({ plugins: [offloadWorkers()], worker: { format: 'es' } });
 * ```
 * @module
 */

/** The part of Vite's Plugin interface this plugin uses (no dependency on vite's types). */
export interface OffloadVitePlugin {
  name: string;
  enforce: 'pre';
  transform(code: string, id: string): { code: string; map: null } | undefined;
}

const CALL = /\bcreateExecutor(\s*<[^()]*?>)?\(\s*new URL\(\s*('[^']+'|"[^"]+"|`[^`$]+`)\s*,\s*import\.meta\.url\s*\)/g;

/** Rewrite `createExecutor(new URL(x, import.meta.url)` into `createExecutor(() => new Worker(new URL(x, import.meta.url), { type: 'module' })`. */
export function rewriteWorkerUrls(code: string): string {
  return code.replace(CALL, (_, generic: string | undefined, spec: string) => {
    return `createExecutor${generic ?? ''}(() => new Worker(new URL(${spec}, import.meta.url), { type: 'module' })`;
  });
}

/** Vite plugin: bundle the task modules given to `createExecutor(new URL(...))` as module workers. */
export function offloadWorkers(): OffloadVitePlugin {
  return {
    name: 'offload-workers',
    enforce: 'pre',
    transform(code, id) {
      if (id.includes('/node_modules/') || !code.includes('createExecutor') || !code.includes('import.meta.url')) return undefined;
      const out = rewriteWorkerUrls(code);
      return out === code ? undefined : { code: out, map: null };
    },
  };
}
