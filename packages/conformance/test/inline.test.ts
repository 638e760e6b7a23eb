import { registerConformance } from '@offload/conformance/vitest';
import { createInlineExecutor, inlineCapabilities } from '@offload/core';

const fixtures = new URL('../dist/fixtures/', import.meta.url);

registerConformance({
  name: 'inline@node',
  capabilities: inlineCapabilities,
  fixture: (name) => new URL(`${name}.js`, fixtures),
  create: (module, options) => createInlineExecutor(module, options),
});
