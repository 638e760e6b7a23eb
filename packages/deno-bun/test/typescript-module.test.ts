/**
 * On Deno and Bun, a TypeScript task module named as TypeScript imports it
 * (`new URL('./tasks.js', import.meta.url)` with only tasks.ts on disk) loads
 * from its .ts source, and a relative path that names no module fails with a
 * message that says how it was resolved (the current directory and the path).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { built, evalProgram, evalRuntimes, required } from './eval-program.js';
import { packageDir } from './remote.js';

let dir = '';
let program = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'offload-ts-module-'));
  writeFileSync(
    join(dir, 'tasks.ts'),
    `import { expose } from ${built('../../core/dist/worker.js')};\nconst twice = (x: number): number => 2 * x;\nexport const tasks = expose({ twice });\n`,
  );
  program = `import { createExecutor } from ${built('../dist/index.js')};
const out = [];
for (const module of [new URL(${JSON.stringify(pathToFileURL(join(dir, 'tasks.js')).href)}), 'no-such-dir/tasks.mjs']) {
  const ex = createExecutor(module, { maxWorkers: 1 });
  out.push(await ex.submit('twice', [21]).catch((error) => \`\${error.name}: \${error.message}\`));
  await ex.shutdown({ cancelPending: true, cancelRunning: true });
}
console.log(JSON.stringify(out));
`;
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

for (const { name: runtime, present } of evalRuntimes) {
  describe.skipIf(!present && !required)(`task modules on ${runtime}`, () => {
    it('a .ts module named as ./tasks.js loads from tasks.ts; a relative path that names nothing says what it was resolved against', () => {
      const [ts, missing] = evalProgram(runtime, program) as [unknown, string];
      expect(ts).toBe(42);
      expect(missing).toMatch(/^WorkerInitError: /);
      expect(missing).toContain(`the path "no-such-dir/tasks.mjs" was resolved against the current directory ${packageDir.replace(/\/$/, '')}`);
      expect(missing).toContain(join(packageDir, 'no-such-dir/tasks.mjs'));
    });
  });
}
