/**
 * createExecutor() takes the task module as a file path too, resolved against
 * the working directory, on Deno and on Bun: a path whose directory has a space,
 * `#` and `%` must name that file, not a URL fragment or an escape. The program
 * is evaluated in the package directory (where Deno resolves the package's
 * imports); the task module sits in a temporary directory.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { built, evalProgram, evalRuntimes, required } from './eval-program.js';
import { packageDir } from './remote.js';

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

for (const { name: runtime, present } of evalRuntimes) {
  describe.skipIf(!present && !required)(`task module given as a file path on ${runtime}`, () => {
    it('relative and absolute paths with a space, # and % in a directory name all load the module', () => {
      expect(evalProgram(runtime, program)).toEqual([42, 42]);
    });
  });
}
