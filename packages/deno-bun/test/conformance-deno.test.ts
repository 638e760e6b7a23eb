import { denoCapabilities } from '../src/index.js';
import { binDir, packageDir, registerRemoteConformance, runner } from './remote.js';

// Module Workers need read access; -A also lets the exit check start a second deno.
registerRemoteConformance({
  name: 'deno-bun@deno',
  bin: `${binDir}deno`,
  args: ['run', '-A', runner],
  capabilities: denoCapabilities,
  flags: { processExit: true, bootstrap: true },
  cwd: packageDir,
});
