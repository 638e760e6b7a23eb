import { fileURLToPath } from 'node:url';
import { capabilities, createExecutor } from '@offload/child-process';
import { registerConformance } from '@offload/conformance/vitest';
import { exitsAfterShutdown } from '../../node-worker/test/exit-check.js';

const fixtures = new URL('../../conformance/dist/fixtures/', import.meta.url);

registerConformance({
  name: 'child-process@node',
  capabilities,
  flags: { processExit: true, bootstrap: true },
  fixture: (name) => new URL(`${name}.js`, fixtures),
  create: (module, options) => createExecutor(module, { inheritStdio: false, ...options }),
  exitsAfterShutdown: () => exitsAfterShutdown(fileURLToPath(new URL('./exit-program.mjs', import.meta.url))),
});
