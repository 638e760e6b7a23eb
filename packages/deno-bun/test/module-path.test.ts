/**
 * createExecutor() takes the task module as a file path too, resolved against
 * the working directory, on Deno and on Bun: a path whose directory has a space,
 * `#` and `%` must name that file, not a URL fragment or an escape. The program
 * is evaluated in the package directory (where Deno resolves the package's
 * imports); the task module sits in a temporary directory.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binDir, packageDir } from './remote.js';

const required = Boolean(process.env.CI || process.env.OFFLOAD_REQUIRE_RUNTIMES);
const built = (path: string) => JSON.stringify(new URL(path, import.meta.url).href);

let root = '';
let dir = '';
let program = '';

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'offload-module-path-'));
  dir = join(root, 'app #1 100%');
  mkdirSync(dir);
  writeFileSync(join(dir, 'tasks.mjs'), `import { expose } from ${built('../../core/dist/worker.js')};\nexpose({ twice: (x) => 2 * x });\n`);
  program = `import { createExecutor } from ${built('../dist/index.js')};
const out = [];
for (const module of ${JSON.stringify([relative(packageDir, join(dir, 'tasks.mjs')), join(dir, 'tasks.mjs')])}) {
  const ex = createExecutor(module, { maxWorkers: 1 });
  out.push(await ex.submit('twice', [21]).catch((error) => String(error)));
  await ex.shutdown({ cancelPending: true, cancelRunning: true });
}
console.log(JSON.stringify(out));
`;
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

for (const [runtime, args] of [
  ['deno', ['eval']],
  ['bun', ['-e']],
] as const) {
  const bin = `${binDir}${runtime}`;
  const present = existsSync(bin);
  describe.skipIf(!present && !required)(`task module given as a file path on ${runtime}`, () => {
    it('relative and absolute paths with a space, # and % in a directory name all load the module', () => {
      const r = spawnSync(bin, [...args, program], { cwd: packageDir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
      expect(r.error).toBeUndefined();
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '')).toEqual([42, 42]);
    });
  });
}
