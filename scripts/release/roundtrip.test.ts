/**
 * The release round trip, for real: version and publish every package with the
 * repo's own release scripts (in a copy of the repo) to a local verdaccio, then
 * install one backend at a time into an empty folder outside the workspace with the
 * runtime's own package manager, run the is_prime example there, and check that
 * the install brought that backend and @offload/core and nothing else (@offload/bullmq
 * also brings node-worker, BullMQ and ioredis, and runs against a Redis of its own).
 *
 * Nothing here touches the working tree: versioning happens in the copy. The registry
 * and every temporary folder are removed whatever the outcome.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { redisMissing, required as redisRequired, startRedis, stopChild } from '../../packages/bullmq/test/cluster.js';
import { describeTree, exampleTsconfig, expectedLines, type InstalledPackage, installedPackages, mainJs, resultLines, writeExample } from './consumer.js';
import { killGroup, type RunResult, run } from './exec.js';
import { type Registry, startRegistry } from './registry.js';
import { copyWorkspace, publishedPackages, repoRoot } from './workspace.js';

const published = publishedPackages();
const redisWhyNot = redisMissing();
// Without redis-server the bullmq consumer is skipped with a note; in CI it must run.
if (redisWhyNot && redisRequired) throw new Error(`the bullmq release check needs Redis: ${redisWhyNot}`);
if (redisWhyNot) console.warn(`skipping the @offload/bullmq consumer: ${redisWhyNot}`);
const redisRuns = !redisWhyNot;
const names = published.map((p) => p.name);
const rootPkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));

let tmp = '';
let registry: Registry | undefined;
/** Environment of every command: a throw-away HOME, npm config and caches. */
let env: NodeJS.ProcessEnv = {};
/** The copy of the repo that is versioned and published. */
let copy = '';
/** Versions of the fixed group before and after `pnpm version-packages`. */
let before: string[] = [];
let after: string[] = [];
/** The version the release gave the fixed group. */
let version = '';
let versionError: unknown;
let releaseError: unknown;

// If this process exits before afterAll ran (a crash, a hard timeout), still remove the
// folders; verdaccio's watchdog stops it when this process is gone.
const emergencyCleanup = () => {
  killGroup(registry?.pid, 'SIGKILL');
  if (tmp) rmSync(tmp, { recursive: true, force: true });
};

beforeAll(async () => {
  tmp = realpathSync(mkdtempSync(join(tmpdir(), 'offload-release-')));
  process.once('exit', emergencyCleanup);
  const home = join(tmp, 'home');
  const bin = join(tmp, 'bin');
  mkdirSync(home);
  mkdirSync(bin);
  // changesets and turbo call `pnpm` by name: put the pinned one on PATH.
  symlinkSync(resolvePnpm(), join(bin, 'pnpm'));
  registry = await startRegistry(join(tmp, 'registry'), names);
  // A user config that points npm (and pnpm, and changesets' npm calls) at verdaccio and
  // nowhere else, with the publish token; the machine's ~/.npmrc is not read.
  writeFileSync(
    join(home, '.npmrc'),
    `registry=${registry.url}\n${registry.url.replace(/^http:/, '')}:_authToken=${registry.token}\nfund=false\naudit=false\nupdate-notifier=false\n`,
  );
  env = cleanEnv({
    HOME: home,
    PATH: `${bin}:${process.env.PATH}`,
    NPM_CONFIG_USERCONFIG: join(home, '.npmrc'),
    // changesets ignores the .npmrc registry unless this is set (TOOLCHAIN.md).
    npm_config_registry: registry.url,
    NPM_CONFIG_REGISTRY: registry.url,
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
  });

  // A maintainer releases from a clean checkout of main: the copy is one.
  copy = join(tmp, 'repo');
  copyWorkspace(copy);
  await sh('git', ['init', '-q', '-b', 'main'], copy);
  await sh('git', ['add', '-A'], copy);
  await sh('git', ['commit', '-q', '-m', 'release rehearsal'], copy);
  before = fixedGroupVersions();
  if (pendingChangesets().length === 0) {
    // Right after a release there is nothing pending: rehearse a patch release instead.
    writeFileSync(join(copy, '.changeset/release-rehearsal.md'), `---\n"${names[0]}": patch\n---\n\nRelease rehearsal.\n`);
    await sh('git', ['add', '-A'], copy);
    await sh('git', ['commit', '-q', '-m', 'release rehearsal changeset'], copy);
  }

  try {
    await step('pnpm version-packages', () => sh('pnpm', ['run', 'version-packages'], copy));
    after = fixedGroupVersions();
    version = after[0] ?? '';
    // The "Version Packages" commit, then the release from it.
    await sh('git', ['add', '-A'], copy);
    await sh('git', ['commit', '-q', '-m', 'Version Packages'], copy);
  } catch (err) {
    versionError = err;
    return;
  }
  try {
    await step('pnpm release', () => sh('pnpm', ['run', 'release'], copy, 240_000));
  } catch (err) {
    releaseError = err;
  }
}, 400_000);

afterAll(async () => {
  try {
    await registry?.stop();
  } finally {
    process.off('exit', emergencyCleanup);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}, 30_000);

describe('release round trip through a local registry', () => {
  test('pnpm version-packages bumps the fixed group as one and writes changelogs', () => {
    if (versionError) throw versionError;
    expect(new Set(before).size, `the fixed group starts on one version: ${before.join(', ')}`).toBe(1);
    expect(new Set(after).size, `one version for ${names.join(', ')}: got ${after.join(', ')}`).toBe(1);
    expect(version).not.toBe(before[0]);
    for (const p of published) {
      const changelog = join(copy, p.dir, 'CHANGELOG.md');
      expect(existsSync(changelog), `${p.name} has a CHANGELOG.md`).toBe(true);
      expect(readFileSync(changelog, 'utf8')).toContain(`## ${version}`);
    }
    expect(pendingChangesets(), 'the changesets are consumed').toEqual([]);
  });

  test('pnpm release builds and publishes every package, with workspace ranges pinned', async () => {
    released();
    for (const p of published) {
      const res = await fetch(`${registry?.url}${p.name.replace('/', '%2f')}`);
      expect(res.ok, `${p.name} is on the registry`).toBe(true);
      const packument = (await res.json()) as { versions: Record<string, { dependencies?: Record<string, string> }> };
      const manifest = packument.versions[version];
      expect(manifest, `${p.name}@${version} is on the registry`).toBeDefined();
      for (const [dep, range] of Object.entries(manifest.dependencies ?? {})) {
        if (names.includes(dep)) expect(range, `${p.name} -> ${dep}`).toBe(version);
      }
    }
  });

  test('each published tarball holds dist with types, its sources, README, LICENSE and CHANGELOG, and no tests', async () => {
    released();
    const dir = join(tmp, 'tarballs');
    mkdirSync(dir, { recursive: true });
    for (const p of published) {
      const { stdout } = await sh('npm', ['pack', `${p.name}@${version}`, '--json', '--pack-destination', dir], dir);
      const files = (JSON.parse(stdout)[0].files as { path: string }[]).map((f) => f.path);
      expect(files, `${p.name} tarball`).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md']));
      expect(
        files.some((f) => /^dist\/.*\.js$/.test(f)),
        `${p.name} ships dist/*.js`,
      ).toBe(true);
      expect(
        files.some((f) => /^dist\/.*\.d\.ts$/.test(f)),
        `${p.name} ships dist/*.d.ts`,
      ).toBe(true);
      // src/ ships so that the source maps in dist/ resolve; tests and build state do not.
      const unwanted = files.filter((f) => /\.test\.|\.tsbuildinfo$|^test\//.test(f));
      expect(unwanted, `${p.name} ships no tests or build state`).toEqual([]);
      expect(
        files.some((f) => /^src\/.*\.ts$/.test(f)),
        `${p.name} ships the sources its source maps point at`,
      ).toBe(true);
    }
  });

  test('npm install @offload/node-worker: the example runs as .mjs, and as .ts with tsx', async () => {
    await npmBackend('@offload/node-worker');
  }, 180_000);

  test('npm install @offload/child-process: the example runs as .mjs, and as .ts with tsx', async () => {
    await npmBackend('@offload/child-process');
  }, 180_000);

  test('deno add npm:@offload/deno-bun: the example runs on Deno', async () => {
    released();
    const deno = runtimeBinary('deno');
    const dir = consumerDir('deno');
    writeExample(dir, '@offload/deno-bun');
    // Deno resolves a bare import only when it is a direct dependency, and the task
    // module imports @offload/core/worker: add core by name too (it is the package the
    // backend brings anyway; the tree check below still allows nothing else). Deno also
    // holds back versions younger than a day by default, and this one is minutes old.
    await sh(deno, ['add', '--minimum-dependency-age=0', `npm:@offload/deno-bun@${version}`, `npm:@offload/core@${version}`], dir);
    checkTree('deno-bun (deno add)', '@offload/deno-bun', installedPackages(dir));
    expectExampleOutput(await sh(deno, ['run', '--allow-read', 'main.mjs'], dir), 'deno run main.mjs');
    expectExampleOutput(await sh(deno, ['run', '--allow-read', 'main.ts'], dir), 'deno run main.ts');
  }, 120_000);

  test.skipIf(!redisRuns)(
    'npm install @offload/bullmq: the example runs through a local Redis on two offload-worker processes',
    async () => {
      released();
      const dir = consumerDir('bullmq');
      writeExample(dir, '@offload/bullmq');
      writeFileSync(join(dir, 'main.mjs'), bullmqMain);
      await sh('npm', ['install', `@offload/bullmq@${version}`], dir);
      const tree = installedPackages(dir);
      console.log(`dependency tree ${describeTree('bullmq (npm install)', tree)}`);
      const ours = tree.filter((p) => p.name.startsWith('@offload/'));
      expect(ours.map((p) => p.name).sort(), 'bullmq brings core and node-worker (its machines run tasks on threads), no other backend').toEqual([
        '@offload/bullmq',
        '@offload/core',
        '@offload/node-worker',
      ]);
      for (const p of ours) expect(p.version, `${p.name} comes from this release`).toBe(version);
      expect(tree.map((p) => p.name)).toEqual(expect.arrayContaining(['bullmq', 'ioredis']));

      const redis = await startRedis();
      const workers: ChildProcess[] = [];
      try {
        const cli = join(dir, 'node_modules/.bin/offload-worker');
        for (let i = 0; i < 2; i++) {
          const child = spawn(cli, ['--queue', 'primes', '--redis', redis.url, './tasks.mjs'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
          workers.push(child);
          await serving(child);
        }
        const result = await run(process.execPath, ['main.mjs'], { cwd: dir, env: { ...env, REDIS_URL: redis.url }, timeout: 60_000 });
        expectExampleOutput(result, 'node main.mjs (bullmq)');
      } finally {
        await Promise.all(workers.map((w) => stopChild(w)));
        await redis.stop();
      }
    },
    180_000,
  );

  test('bun add @offload/deno-bun: the example runs on Bun', async () => {
    released();
    const bun = runtimeBinary('bun');
    const dir = consumerDir('bun');
    writeFileSync(join(dir, 'bunfig.toml'), `[install]\nregistry = "${registry?.url}"\n`);
    writeExample(dir, '@offload/deno-bun');
    await sh(bun, ['add', `@offload/deno-bun@${version}`], dir);
    checkTree('deno-bun (bun add)', '@offload/deno-bun', installedPackages(dir));
    expectExampleOutput(await sh(bun, ['main.mjs'], dir), 'bun main.mjs');
    expectExampleOutput(await sh(bun, ['main.ts'], dir), 'bun main.ts');
  }, 120_000);
});

// The bullmq example: the same tasks module, a caller that names the Redis and the queue.
const bullmqMain = mainJs('@offload/bullmq', "{ connection: process.env.REDIS_URL, queue: 'primes' }");

/** Resolve when an offload-worker process says it serves; reject when it exits first or takes over 30 s. */
function serving(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`offload-worker did not start within 30 s: ${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('offload-worker: serving')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`offload-worker exited with ${code}: ${out}`));
    });
  });
}

/** node-worker and child-process: npm install, .mjs under node, .ts type-checked and run with tsx. */
async function npmBackend(pkg: string): Promise<void> {
  released();
  const label = pkg.replace('@offload/', '');
  const dir = consumerDir(label);
  writeExample(dir, pkg);
  await sh('npm', ['install', `${pkg}@${version}`], dir);
  checkTree(`${label} (npm install)`, pkg, installedPackages(dir));
  expectExampleOutput(await sh(process.execPath, ['main.mjs'], dir), `node main.mjs (${label})`);

  // A TypeScript user adds tsx (from the registry, which proxies npmjs.org), and their
  // editor checks main.ts against the published declarations: the repo's TypeScript and
  // Node types stand in for the ones they would install.
  await sh('npm', ['install', '--save-dev', `tsx@${rootPkg.devDependencies.tsx}`], dir);
  const compilerOptions = {
    ...exampleTsconfig.compilerOptions,
    types: ['node'],
    typeRoots: [join(repoRoot, 'node_modules/@types')],
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ ...exampleTsconfig, compilerOptions }, null, 2));
  await sh(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], dir);
  expectExampleOutput(await sh(join(dir, 'node_modules/.bin/tsx'), ['main.ts'], dir), `tsx main.ts (${label})`);
}

/** Print one line per backend, and fail when a backend brings more than itself and core. */
function checkTree(label: string, pkg: string, tree: InstalledPackage[]): void {
  console.log(`dependency tree ${describeTree(label, tree)}`);
  expect(
    tree.map((p) => p.name),
    `${label}: the backend and @offload/core are installed`,
  ).toEqual(expect.arrayContaining([pkg, '@offload/core']));
  const extra = tree.filter((p) => p.name !== pkg && p.name !== '@offload/core');
  expect(
    extra.map((p) => `${p.name}@${p.version}`),
    `${label} must bring only itself and @offload/core (another backend or a third-party package crept in)`,
  ).toEqual([]);
  for (const p of tree) expect(p.version, `${p.name} comes from this release`).toBe(version);
}

function expectExampleOutput(result: RunResult, what: string): void {
  expect(resultLines(result.stdout).sort(), `${what} prints one line per candidate\n${result.stdout}\n${result.stderr}`).toEqual([...expectedLines].sort());
}

/** Fail clearly (not skip) when there is no release to install. */
function released(): void {
  const why = versionError ?? releaseError;
  if (why) throw new Error(`the release did not complete, so there is nothing to install:\n${String(why)}`);
  if (!version) throw new Error('the release did not run');
}

/** An empty project folder outside the workspace, with a project-local .npmrc. */
function consumerDir(name: string): string {
  const dir = join(tmp, 'consumers', name);
  mkdirSync(dir, { recursive: true });
  const manifest = { name: `consumer-${name}`, private: true, type: 'module' };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(dir, '.npmrc'), `registry=${registry?.url}\n`);
  return dir;
}

async function step(name: string, fn: () => Promise<RunResult>): Promise<void> {
  const { ms } = await fn();
  console.log(`${name}: ${(ms / 1000).toFixed(1)} s`);
}

function fixedGroupVersions(): string[] {
  return published.map((p) => JSON.parse(readFileSync(join(copy, p.dir, 'package.json'), 'utf8')).version);
}

function pendingChangesets(): string[] {
  return readdirSync(join(copy, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md');
}

function sh(cmd: string, args: string[], cwd: string, timeout = 120_000): Promise<RunResult> {
  return run(cmd, args, { cwd, env, timeout });
}

/** This process's environment without the variables npm/pnpm set for scripts. */
function cleanEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(npm_|pnpm_|NODE_PATH$|INIT_CWD$|XDG_)/i.test(k)) out[k] = v;
  }
  return { ...out, ...extra };
}

/** The pnpm the repo pins (`packageManager`), from PATH or through npx. */
function resolvePnpm(): string {
  const wanted = String(rootPkg.packageManager)
    .replace(/^pnpm@/, '')
    .split('+')[0];
  try {
    const found = execFileSync('sh', ['-c', 'command -v pnpm'], { encoding: 'utf8' }).trim();
    if (found && execFileSync(found, ['--version'], { encoding: 'utf8' }).trim() === wanted) return found;
  } catch {
    // not on PATH
  }
  return execFileSync('npx', ['--yes', '-p', `pnpm@${wanted}`, 'sh', '-c', 'command -v pnpm'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/** Deno and Bun come from the lockfile (devDependencies of packages/deno-bun). */
function runtimeBinary(name: 'deno' | 'bun'): string {
  const pkgDir = join(repoRoot, 'packages/deno-bun/node_modules', name);
  const exe = name === 'deno' ? 'deno' : 'bin/bun.exe';
  const p = existsSync(pkgDir) ? join(realpathSync(pkgDir), exe) : '';
  if (!p || !existsSync(p)) {
    throw new Error(`${name} is not installed at ${pkgDir}/${exe}: run the workspace install (it comes from the lockfile)`);
  }
  return p;
}
