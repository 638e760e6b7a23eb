/**
 * What each published package looks like to npm and to TypeScript, checked on the
 * built working tree: publint --strict (exports, files, types first), Are the Types
 * Wrong (ESM-only profile: every entry point resolves to types under node16 and
 * bundler resolution), and the metadata the release relies on.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { run } from './exec.js';
import { publishedPackages, repoRoot } from './workspace.js';

const bin = (name: string) => join(repoRoot, 'node_modules/.bin', name);
// npm pack runs without npm/pnpm's per-script variables and without the machine's ~/.npmrc.
const env: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|pnpm_|NODE_PATH$|INIT_CWD$)/i.test(k))),
  NPM_CONFIG_USERCONFIG: '/dev/null',
};
const rootLicense = readFileSync(join(repoRoot, 'LICENSE'), 'utf8');

describe.each(publishedPackages())('$name', (pkg) => {
  const dir = join(repoRoot, pkg.dir);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

  test('has the metadata a release needs', () => {
    expect(manifest.private, 'published packages are not private').not.toBe(true);
    expect(manifest.type).toBe('module');
    expect(manifest.sideEffects).toBe(false);
    expect(manifest.license).toBe('MIT');
    expect(manifest.repository).toMatchObject({ type: 'git', directory: pkg.dir });
    expect(manifest.publishConfig?.access).toBe('public');
    expect(Object.keys(manifest.engines ?? {}).length, 'engines says where it runs').toBeGreaterThan(0);
    expect(manifest.keywords?.length, 'keywords').toBeGreaterThan(0);
    expect(manifest.files).toEqual(expect.arrayContaining(['dist', 'README.md', 'LICENSE', 'CHANGELOG.md']));
    expect(existsSync(join(dir, 'README.md')), `${pkg.dir}/README.md`).toBe(true);
    expect(readFileSync(join(dir, 'LICENSE'), 'utf8'), `${pkg.dir}/LICENSE is the root LICENSE`).toBe(rootLicense);
    for (const [dep, range] of Object.entries<string>(manifest.dependencies ?? {})) {
      if (dep.startsWith('@offload/') || dep === 'offload') {
        expect(range, `${dep} is linked with workspace:* (pnpm publish pins the released version)`).toBe('workspace:*');
      }
    }
    const backends = ['@offload/node-worker', '@offload/child-process', '@offload/deno-bun', '@offload/browser'];
    if (backends.includes(pkg.name)) {
      expect(Object.keys(manifest.dependencies ?? {}), 'a backend depends on @offload/core and nothing else').toEqual(['@offload/core']);
    }
  });

  test('is built', () => {
    expect(existsSync(join(dir, 'dist')), `${pkg.dir}/dist is missing: run \`pnpm build\` first`).toBe(true);
  });

  test('publint --strict', async () => {
    const r = await run(bin('publint'), ['--strict', '--pack', 'npm'], {
      cwd: dir,
      env,
      allowFailure: true,
      timeout: 60_000,
    });
    expect(r.code, `publint --strict in ${pkg.dir}\n${r.stdout}\n${r.stderr}`).toBe(0);
  }, 60_000);

  test('attw --pack --profile esm-only', async () => {
    const r = await run(bin('attw'), ['--pack', '.', '--profile', 'esm-only', '--format', 'table-flipped', '--no-color'], {
      cwd: dir,
      env,
      allowFailure: true,
      timeout: 90_000,
    });
    expect(r.code, `attw in ${pkg.dir}\n${r.stdout}\n${r.stderr}`).toBe(0);
    // attw exits 0 on a package without any types at all: that is a failure here.
    expect(r.stdout, `attw in ${pkg.dir}`).not.toContain('does not contain types');
  }, 90_000);
});
