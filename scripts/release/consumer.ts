/**
 * What a user of a published backend writes and gets: the seed is_prime example (the
 * concurrent.futures ProcessPoolExecutor example, with `submit` + `asCompleted`), in
 * plain ESM and in TypeScript, and the packages an install actually put on disk.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The seed candidates (see /work/shared/context/SEEDS.md), with one duplicate on purpose. */
export const CANDIDATES = [112272535095293, 112582705942171, 112272535095293, 115280095190773, 115797848077099, 1099726899285419, 17, 4];

/** Trial division over odd divisors up to sqrt(n): the reference the example's output is checked against. */
export function isPrime(n: number): boolean {
  if (n < 2) return false;
  if (n === 2) return true;
  if (n % 2 === 0) return false;
  const limit = Math.floor(Math.sqrt(n));
  for (let i = 3; i <= limit; i += 2) if (n % i === 0) return false;
  return true;
}

/** The lines the example prints, in some completion order. */
export const expectedLines = CANDIDATES.map((n) => `${n} is prime: ${isPrime(n)}`);

/** Lines of `stdout` that look like the example's output. */
export function resultLines(stdout: string): string[] {
  return stdout.split('\n').filter((l) => / is prime: /.test(l));
}

const TASKS_JS = `import { expose } from '@offload/core/worker';

export function isPrime(n) {
  if (n < 2) return false;
  if (n === 2) return true;
  if (n % 2 === 0) return false;
  const limit = Math.floor(Math.sqrt(n));
  for (let i = 3; i <= limit; i += 2) {
    if (n % i === 0) return false;
  }
  return true;
}

export const tasks = expose({ isPrime });
`;

const TASKS_TS = `import { expose } from '@offload/core/worker';

export function isPrime(n: number): boolean {
  if (n < 2) return false;
  if (n === 2) return true;
  if (n % 2 === 0) return false;
  const limit = Math.floor(Math.sqrt(n));
  for (let i = 3; i <= limit; i += 2) {
    if (n % i === 0) return false;
  }
  return true;
}

export const tasks = expose({ isPrime });
export type Tasks = typeof tasks;
`;

const candidates = `[
  112272535095293, 112582705942171, 112272535095293, 115280095190773,
  115797848077099, 1099726899285419, 17, 4,
]`;

/**
 * The example's main.mjs for `backend`, creating its executor with `options` (source text).
 * Plain .mjs runs on Node 20, which has no \`await using\` yet: shut down in finally.
 */
export const mainJs = (backend: string, options = '{ maxWorkers: 2 }') => `import { createExecutor } from '${backend}';
import { asCompleted } from '@offload/core';

const PRIMES = ${candidates};

const ex = createExecutor(new URL('./tasks.mjs', import.meta.url), ${options});
try {
  const futures = PRIMES.map((n) => ex.submit('isPrime', [n]));
  for await (const done of asCompleted(futures)) {
    console.log(\`\${PRIMES[done.index]} is prime: \${await done.future}\`);
  }
} finally {
  await ex.shutdown();
}
`;

const mainTs = (backend: string) => `import { createExecutor } from '${backend}';
import { asCompleted } from '@offload/core';
import type { Tasks } from './tasks.ts';

const PRIMES: number[] = ${candidates};

await using ex = createExecutor<Tasks>(new URL('./tasks.ts', import.meta.url), { maxWorkers: 2 });
const futures = PRIMES.map((n) => ex.submit('isPrime', [n]));
for await (const done of asCompleted(futures)) {
  const prime: boolean = await done.future;
  console.log(\`\${PRIMES[done.index]} is prime: \${prime}\`);
}
`;

/** Write tasks.mjs, main.mjs, tasks.ts and main.ts for `backend` into `dir`. */
export function writeExample(dir: string, backend: string): void {
  writeFileSync(join(dir, 'tasks.mjs'), TASKS_JS);
  writeFileSync(join(dir, 'main.mjs'), mainJs(backend));
  writeFileSync(join(dir, 'tasks.ts'), TASKS_TS);
  writeFileSync(join(dir, 'main.ts'), mainTs(backend));
}

/** A tsconfig for type-checking the example the way a user's editor would. */
export const exampleTsconfig = {
  compilerOptions: {
    target: 'ES2022',
    lib: ['ES2023', 'ESNext.Disposable', 'DOM'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noEmit: true,
    allowImportingTsExtensions: true,
    skipLibCheck: false,
    types: [] as string[],
  },
  files: ['main.ts'],
};

export interface InstalledPackage {
  name: string;
  version: string;
  bytes: number;
}

/**
 * Every package an install put under `dir/node_modules`, whichever layout made it:
 * npm and bun (hoisted, nested node_modules), Deno (`.deno/<id>/node_modules`),
 * pnpm (`.pnpm/<id>/node_modules`). Counted once per name@version.
 */
export function installedPackages(dir: string): InstalledPackage[] {
  const found = new Map<string, InstalledPackage>();
  const seen = new Set<string>();
  const visitModules = (modules: string) => {
    if (!existsSync(modules)) return;
    for (const entry of readdirSync(modules)) {
      const p = join(modules, entry);
      if (entry === '.bin' || entry === '.cache') continue;
      if (entry === '.deno' || entry === '.pnpm' || entry === '.bun') {
        for (const store of readdirSync(p)) {
          if (statSync(join(p, store)).isDirectory()) visitModules(join(p, store, 'node_modules'));
        }
      } else if (entry.startsWith('@')) {
        for (const name of readdirSync(p)) visitPackage(join(p, name));
      } else if (!entry.startsWith('.')) {
        visitPackage(p);
      }
    }
  };
  const visitPackage = (p: string) => {
    let real: string;
    try {
      real = realpathSync(p);
    } catch {
      return; // dangling link
    }
    if (seen.has(real)) return;
    seen.add(real);
    const manifest = join(real, 'package.json');
    if (!existsSync(manifest)) return;
    const { name, version } = JSON.parse(readFileSync(manifest, 'utf8'));
    const key = `${name}@${version}`;
    if (!found.has(key)) found.set(key, { name, version, bytes: folderBytes(real) });
    visitModules(join(real, 'node_modules'));
  };
  visitModules(join(dir, 'node_modules'));
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Bytes of the files of one package (not its nested node_modules). */
function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules') continue;
    const p = join(dir, entry);
    const st = lstatSync(p);
    if (st.isDirectory()) total += folderBytes(p);
    else if (st.isFile()) total += st.size;
  }
  return total;
}

/** `node-worker (npm): 2 packages, 123.4 kB: @offload/core@0.1.0, @offload/node-worker@0.1.0` */
export function describeTree(label: string, pkgs: InstalledPackage[]): string {
  const kb = pkgs.reduce((s, p) => s + p.bytes, 0) / 1000;
  const list = pkgs.map((p) => `${p.name}@${p.version}`).join(', ');
  return `${label}: ${pkgs.length} packages, ${kb.toFixed(1)} kB: ${list}`;
}
