/**
 * Browser entry: the page loads this module with the config JSON in the URL
 * hash; lines go to `window.__benchEmit` (installed by the bench app through
 * playwright), else to the console.
 * @module
 */
import { runWeb, type WebRunConfig } from './web-runner.js';

const g = globalThis as unknown as { location: { hash: string }; __benchEmit?: (line: string) => void };
const cfg = JSON.parse(decodeURIComponent(g.location.hash.slice(1))) as WebRunConfig;
const emit = (line: unknown) => (g.__benchEmit ? g.__benchEmit(JSON.stringify(line)) : console.log(JSON.stringify(line)));
runWeb(cfg, emit).catch((error) => emit({ type: 'done', results: [], notes: [`chromium: ${String(error?.stack ?? error)}`], version: 'unknown' }));
