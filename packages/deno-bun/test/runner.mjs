// Runs the conformance suite inside Deno or Bun (started by conformance.test.ts) and
// prints one result line per case. Imports built output only: run `turbo run build` first.
import { runRemote } from '../../conformance/dist/runner.js';
import { bunCapabilities, createExecutor, denoCapabilities, runtime } from '../dist/index.js';
import { exitsAfterShutdown } from './exit-check.mjs';

const fixtures = new URL('../../conformance/dist/fixtures/', import.meta.url);

await runRemote(
  {
    name: `deno-bun@${runtime}`,
    capabilities: runtime === 'bun' ? bunCapabilities : denoCapabilities,
    flags: { processExit: true, bootstrap: true },
    fixture: (name) => new URL(`${name}.js`, fixtures),
    create: (module, options) => createExecutor(module, options),
    exitsAfterShutdown: () => exitsAfterShutdown(new URL('./exit-program.mjs', import.meta.url)),
  },
  (line) => console.log(line),
);
// Do not wait for anything a failed case may have leaked: the results are out.
globalThis.process.exit(0);
