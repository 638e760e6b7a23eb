import { bunCapabilities } from '../src/index.js';
import { binDir, packageDir, registerRemoteConformance, runner } from './remote.js';

registerRemoteConformance({
  name: 'deno-bun@bun',
  bin: `${binDir}bun`,
  args: [runner],
  capabilities: bunCapabilities,
  flags: { processExit: true, bootstrap: true },
  cwd: packageDir,
});
