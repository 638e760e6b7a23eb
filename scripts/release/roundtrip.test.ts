/**
 * The release round trip, for real: version and publish every package with the
 * repo's own release scripts (in a copy of the repo) to a local verdaccio, then
 * install one backend at a time into an empty folder outside the workspace with the
 * runtime's own package manager, run the seed is_prime example there, and check that
 * the install brought that backend and @offload/core and nothing else.
 *
 * Nothing here touches the working tree: versioning happens in the copy. The registry
 * and every temporary folder are removed whatever the outcome.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  describeTree,
  expectedLines,
  exampleTsconfig,
  type InstalledPackage,
  installedPackages,
  resultLines,
  writeExample,
} from './consumer.js';
import { killGroup, type RunResult, run } from './exec.js';
import { type Registry, startRegistry } from './registry.js';
import { copyWorkspace, publishedPackages, repoRoot } from './workspace.js';

const published = publishedPackages();
const names = published.map((p) => p.name);
const rootPkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));

let tmp = '';
let registry: Registry | undefined;
/** Environment of every command: a throw-away HOME, npm config and caches. */
let env: NodeJS.ProcessEnv = {};
let copy = '';
/** The version the release gave the fixed group, once `version-packages` ran. */
let version = '';
let releaseError: unknown;
const trees: string[] = [];

// If the worker is torn down before afterAll (a crash, a hard timeout), still stop
// verdaccio and remove the folders.
let registryPid: number | undefined;
const emergencyCleanup = () => {
  killGroup(registryPid, 'SIGKILL');
  if (tmp) rmSync(tmp, { recursive: true, force: true });
};

beforeAll(async () => {
  tmp = realpathSync(mkdtempSync(join(tmpdir(), 'offload-release-')));
  process.once('exit', emergencyCleanup);
  const home = join(tmp, 'home');
  const bin = join(tmp, 'bin');
  mkdirSync(home);
  mkdirSync(bin);
  symlinkSync(resolvePnpm(), join(bin, 'pnpm'));
  registry = await startRegistry(join(tmp, 'registry'), names);
  registryPid = registry.pid;
  // A user config that points npm (and pnpm, and changesets' npm calls) at verdaccio
  // and nowhere else; the machine's ~/.npmrc is not read.
  const host = registry.url.replace(/^http:/, '');
  writeFileSync(
    join(home, '.npmrc'),
    `registry=${registry.url}\n${host}:_authToken=${registry.token}\nfund=false\naudit=false\nupdate-notifier=false\n`,
  );
  env = cleanEnv({
    HOME: home,
    PATH: `${bin}:${process.env.PATH}`,
    NPM_CONFIG_USERCONFIG: join(home, '.npmrc'),
    npm_config_registry: registry.url,
    npm_config_cache: join(tmp, 'npm-cache'),
    TURBO_TELEMETRY_DISABLED: '1',
    TURBO_NO_UPDATE_NOTIFIER: '1',
    DO_NOT_TRACK: '1',
    COREPACK_INTEGRITY_KEYS: '0',
    GIT_AUTHOR_NAME: 'Offload release test',
    GIT_AUTHOR_EMAIL: 'release-test@example.invalid',
    GIT_COMMITTER_NAME: 'Offload release test',
    GIT_COMMITTER_EMAIL: 'release-test@example.invalid',
    GIT_CONFIG_NOSYSTEM: '1',
    DENO_DIR: join(tmp, 'deno-dir'),
    DENO_NO_UPDATE_CHECK: '1',
    DENO_NO_PROMPT: '1',
    BUN_INSTALL_CACHE_DIR: join(tmp, 'bun-cache'),
    NPM_CONFIG_REGISTRY: registry.url,
  });
  copy = join(tmp, 'repo');
  copyWorkspace(copy, process.env.OFFLOAD_RELEASE_SOURCE ?? repoRoot); // DEV-ONLY hook
  // A maintainer releases from a clean checkout of main.
  await sh('git', ['init', '-q', '-b', 'main'], copy);
  await sh('git', ['add', '-A'], copy);
  await sh('git', ['commit', '-q', '-m', 'release rehearsal'], copy);
}, 120_000);

afterAll(async () => {
  try {
    await registry?.stop();
  } finally {
    process.off('exit', emergencyCleanup);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    if (trees.length) console.log(`installed dependency trees:\n  ${trees.join('\n  ')}`);
  }
}, 30_000);

describe('release round trip through a local registry', () => {
  test('pnpm version-packages bumps the fixed group and writes changelogs', async () => {
    const before = published.map((p) => readJson(join(copy, p.dir, 'package.json')).version as string);
    expect(new Set(before).size, 'the fixed group starts on one version').toBe(1);
    const pending = pendingChangesets(copy);
    expect(pending.length, 'there are changesets to release').toBeGreaterThan(0);

    await sh('pnpm', ['run', 'version-packages'], copy);

    const after = published.map((p) => readJson(join(copy, p.dir, 'package.json')).version as string);
    expect(new Set(after).size, `one version for ${names.join(', ')}: got ${after.join(', ')}`).toBe(1);
    version = after[0];
    expect(version).not.toBe(before[0]);
    for (const p of published) {
      const changelog = join(copy, p.dir, 'CHANGELOG.md');
      expect(existsSync(changelog), `${p.name} has a CHANGELOG.md`).toBe(true);
      expect(readFileSync(changelog, 'utf8')).toContain(`## ${version}`);
    }
    expect(pendingChangesets(copy), 'changesets are consumed').toEqual([]);
    // The maintainer commits the "Version Packages" change, then releases.
    await sh('git', ['add', '-A'], copy);
    await sh('git', ['commit', '-q', '-m', 'Version Packages'], copy);
  }, 60_000);

  test('pnpm release builds and publishes every package', async () => {
    expect(version, 'versioning ran').not.toBe('');
    try {
      await sh('pnpm', ['run', 'release'], copy, 240_000);
      for (const p of published) {
        const meta = await registryPackument(p.name);
        expect(meta?.versions?.[version], `${p.name}@${version} is on the registry`).toBeDefined();
        const manifest = meta.versions[version];
        for (const [dep, range] of Object.entries<string>(manifest.dependencies ?? {})) {
          expect(range, `${p.name} depends on ${dep} by a published range, not a workspace: one`).not.toMatch(
            /^workspace:/,
          );
        }
      }
    } catch (err) {
      releaseError = err;
      throw err;
    }
  }, 300_000);

  test('each published tarball holds dist, types, README, LICENSE and CHANGELOG', async () => {
    released();
    const dir = join(tmp, 'tarballs');
    mkdirSync(dir, { recursive: true });
    for (const p of published) {
      const { stdout } = await sh('npm', ['pack', `${p.name}@${version}`, '--json', '--pack-destination', dir], dir);
      const files = (JSON.parse(stdout)[0].files as { path: string }[]).map((f) => f.path);
      for (const required of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md']) {
        expect(files, `${p.name} tarball`).toContain(required);
      }
      expect(files.some((f) => f.startsWith('dist/') && f.endsWith('.js')), `${p.name} ships dist/*.js`).toBe(true);
      expect(files.some((f) => f.startsWith('dist/') && f.endsWith('.d.ts')), `${p.name} ships dist/*.d.ts`).toBe(true);
      expect(files.filter((f) => /\.test\.|tsbuildinfo|^src\//.test(f)), `${p.name} ships no tests or build state`).toEqual(
        [],
      );
    }
  }, 120_000);

  test('npm install @offload/node-worker: the seed example runs as .mjs and as .ts with tsx', async () => {
    await npmBackend('@offload/node-worker');
  }, 180_000);

  test('npm install @offload/child-process: the seed example runs as .mjs and as .ts with tsx', async () => {
    await npmBackend('@offload/child-process');
  }, 180_000);

  test('deno install @offload/deno-bun: the seed example runs on Deno', async () => {
    released();
    const deno = runtimeBinary('deno');
    const dir = consumerDir('deno');
    writeExample(dir, '@offload/deno-bun');
    // Deno resolves a bare import only when it is a direct dependency, and the task
    // module imports @offload/core/worker: add core by name too (it is the package the
    // backend brings anyway; the tree check below still allows nothing else). Deno also
    // holds back versions younger than a day by default, and this one is minutes old.
    await sh(
      deno,
      ['add', '--minimum-dependency-age=0', `npm:@offload/deno-bun@${version}`, `npm:@offload/core@${version}`],
      dir,
    );
    checkTree('deno-bun (deno)', '@offload/deno-bun', installedPackages(dir));
    expectExampleOutput(await sh(deno, ['run', '--allow-read', 'main.mjs'], dir), 'deno main.mjs');
    expectExampleOutput(await sh(deno, ['run', '--allow-read', 'main.ts'], dir), 'deno main.ts');
  }, 120_000);

  test('bun add @offload/deno-bun: the seed example runs on Bun', async () => {
    released();
    const bun = runtimeBinary('bun');
    const dir = consumerDir('bun');
    writeFileSync(join(dir, 'bunfig.toml'), `[install]\nregistry = "${registry?.url}"\n`);
    writeExample(dir, '@offload/deno-bun');
    await sh(bun, ['add', `@offload/deno-bun@${version}`], dir);
    checkTree('deno-bun (bun)', '@offload/deno-bun', installedPackages(dir));
    expectExampleOutput(await sh(bun, ['main.mjs'], dir), 'bun main.mjs');
    expectExampleOutput(await sh(bun, ['main.ts'], dir), 'bun main.ts');
  }, 120_000);
});

/** node-worker and child-process: npm install, .mjs under node, .ts type-checked and run with tsx. */
async function npmBackend(pkg: string): Promise<void> {
  released();
  const label = pkg.replace('@offload/', '');
  const dir = consumerDir(label);
  writeExample(dir, pkg);
  await sh('npm', ['install', `${pkg}@${version}`], dir);
  checkTree(`${label} (npm)`, pkg, installedPackages(dir));
  expectExampleOutput(await sh(process.execPath, ['main.mjs'], dir), `node main.mjs (${label})`);

  // TypeScript users add tsx (from the registry, proxied to npmjs.org) and type-check
  // against the published declarations (with the repo's TypeScript and Node types).
  await sh('npm', ['install', '--save-dev', `tsx@${rootPkg.devDependencies.tsx}`], dir);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      ...exampleTsconfig,
      compilerOptions: { ...exampleTsconfig.compilerOptions, types: ['node'], typeRoots: [join(repoRoot, 'node_modules/@types')] },
    }),
  );
  await sh(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], dir);
  expectExampleOutput(await sh(join(dir, 'node_modules/.bin/tsx'), ['main.ts'], dir), `tsx main.ts (${label})`);
}

/** One line per backend for the report, and a failure when a backend pulls in more than core. */
function checkTree(label: string, pkg: string, tree: InstalledPackage[]): void {
  const line = describeTree(label, tree);
  trees.push(line);
  console.log(line);
  const installed = tree.map((p) => p.name);
  expect(installed, `${label}: the backend and @offload/core are installed`).toEqual(
    expect.arrayContaining([pkg, '@offload/core']),
  );
  const extra = tree.filter((p) => p.name !== pkg && p.name !== '@offload/core');
  expect(
    extra.map((p) => `${p.name}@${p.version}`),
    `${label} must bring only itself and @offload/core (another backend or a third-party package crept in)`,
  ).toEqual([]);
  for (const p of tree) expect(p.version, `${p.name} comes from this release`).toBe(version);
}

function expectExampleOutput(result: RunResult, what: string): void {
  const lines = resultLines(result.stdout);
  expect([...lines].sort(), `${what} prints one line per candidate\n${result.stdout}\n${result.stderr}`).toEqual(
    [...expectedLines].sort(),
  );
}

/** Fail clearly (not skip) when the release did not happen. */
function released(): void {
  if (releaseError || !version) {
    throw new Error(`the release step failed or did not run, so there is nothing to install: ${String(releaseError ?? 'no version')}`);
  }
}

/** An empty project folder outside the workspace with a project-local .npmrc. */
function consumerDir(name: string): string {
  const dir = join(tmp, 'consumers', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: `consumer-${name}`, private: true, type: 'module' }, null, 2)}\n`);
  writeFileSync(join(dir, '.npmrc'), `registry=${registry?.url}\n`);
  return dir;
}

async function registryPackument(name: string) {
  const res = await fetch(`${registry?.url}${name.replace('/', '%2f')}`);
  return res.ok ? ((await res.json()) as { versions?: Record<string, Record<string, unknown>> } & Record<string, any>) : undefined;
}

function pendingChangesets(root: string): string[] {
  return readdirSync(join(root, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md');
}

function readJson(file: string) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

function sh(cmd: string, args: string[], cwd: string, timeout = 120_000): Promise<RunResult> {
  return run(cmd, args, { cwd, env, timeout });
}

/** The environment of the test process without npm/pnpm's per-script variables. */
function cleanEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|npm_config_|NODE_PATH$|INIT_CWD$|XDG_)/i.test(k)) continue;
    out[k] = v;
  }
  return { ...out, ...extra };
}

/** The pnpm the repo pins (`packageManager`), from PATH or through npx. */
function resolvePnpm(): string {
  const wanted = String(rootPkg.packageManager).replace(/^pnpm@/, '').split('+')[0];
  try {
    const found = execFileSync('sh', ['-c', 'command -v pnpm'], { encoding: 'utf8' }).trim();
    if (found && execFileSync(found, ['--version'], { encoding: 'utf8' }).trim() === wanted) return found;
  } catch {
    // not on PATH
  }
  return execFileSync('npx', ['--yes', '-p', `pnpm@${wanted}`, 'sh', '-c', 'command -v pnpm'], {
    encoding: 'utf8',
    env: { ...process.env, npm_config_yes: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/** Deno and Bun come from the lockfile (devDependencies of packages/deno-bun). */
function runtimeBinary(name: 'deno' | 'bun'): string {
  const pkgDir = join(repoRoot, 'packages/deno-bun/node_modules', name);
  const candidates = name === 'deno' ? ['deno'] : ['bin/bun.exe', 'bin/bun'];
  for (const c of candidates) {
    const p = existsSync(pkgDir) ? join(realpathSync(pkgDir), c) : '';
    if (p && existsSync(p)) return p;
  }
  throw new Error(`${name} is not installed at ${pkgDir}: run the workspace install (it comes from the lockfile)`);
}
