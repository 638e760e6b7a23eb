import { fileURLToPath } from 'node:url';
import { registerConformance } from '@offload/conformance/vitest';
import { capabilities, createExecutor } from '@offload/node-worker';
import { exitsAfterShutdown } from './exit-check.js';

const fixtures = new URL('../../conformance/dist/fixtures/', import.meta.url);

registerConformance({
  name: 'node-worker@node',
  capabilities,
  flags: { processExit: true, bootstrap: true },
  fixture: (name) => new URL(`${name}.js`, fixtures),
  create: (module, options) => createExecutor(module, options),
  exitsAfterShutdown: () => exitsAfterShutdown(fileURLToPath(new URL('./exit-program.mjs', import.meta.url))),
});
