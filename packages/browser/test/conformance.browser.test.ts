import { cases } from '@offload/conformance';
import { registerConformance } from '@offload/conformance/vitest';
import { describe, it } from 'vitest';
import { capabilities, createExecutor } from '../src/index.js';

// Not `new URL(literal, import.meta.url)`: Vite would rewrite that as an asset reference.
const here = import.meta.url;

if (typeof document === 'undefined') {
  // No Chromium here (see vitest.config.ts): same cell, every case skipped, reason printed by the config.
  describe('conformance browser@chromium', () => {
    for (const c of cases) it.skip(c.name, () => {});
  });
} else {
  registerConformance({
    name: 'browser@chromium',
    capabilities,
    fixture: (name) => new URL(`../../conformance/dist/fixtures/${name}.js`, here),
    create: (module, options) => createExecutor(module, options),
  });
}
