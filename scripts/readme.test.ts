import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { README, withFreshTable } from './backends-table.js';

const run = promisify(execFile);
const example = (file: string) => fileURLToPath(new URL(`../examples/quickstart/${file}`, import.meta.url));

/** The README's code blocks that start with a `// <file name>` line, by that file name. */
function namedSnippets(readme: string): Map<string, string> {
  const named = new Map<string, string>();
  for (const [, body] of readme.matchAll(/```(?:js|ts|cjs)\n([\s\S]*?)```/g)) {
    const name = /^\/\/ (\S+\.[cm]?[jt]s)\n/.exec(body ?? '')?.[1];
    if (name) named.set(name, body as string);
  }
  return named;
}

/** A temporary folder that sees the quick start's dependencies (the built workspace packages). */
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'offload-readme-'));
  symlinkSync(example('node_modules'), join(dir, 'node_modules'), 'dir');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const candidates = ['112272535095293', '112582705942171', '115280095190773', '115797848077099', '1099726899285419', '17', '4'];

describe('README', () => {
  const readme = readFileSync(README, 'utf8');
  const snippets = namedSnippets(readme);
  const dirs: string[] = [];
  const tmp = (files: Record<string, string>): string => {
    const dir = folder(files);
    dirs.push(dir);
    return dir;
  };
  beforeAll(() => {
    expect([...snippets.keys()]).toEqual(expect.arrayContaining(['tasks.mjs', 'main.mjs', 'main.ts', 'main.cjs']));
  });
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('backends table matches the capability flags in code (run `pnpm docs:backends` to update)', () => {
    expect(readme).toBe(withFreshTable(readme));
  });

  it('quick start snippets run as written against the built packages and print every candidate', async () => {
    const dir = tmp({ 'tasks.mjs': snippets.get('tasks.mjs') as string, 'main.mjs': snippets.get('main.mjs') as string });
    const { stdout } = await run(process.execPath, [join(dir, 'main.mjs')], { timeout: 60_000 });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(8);
    for (const n of candidates) expect(lines.some((l) => l.startsWith(`${n} is prime: `))).toBe(true);
    expect(lines).toContain('1099726899285419 is prime: false');
    expect(lines).toContain('17 is prime: true');
  });

  it('examples/quickstart is the README quick start (below its first comment line), and runs', async () => {
    const body = (text: string) => text.split('\n').slice(1).join('\n').trim();
    expect(body(readFileSync(example('main.mjs'), 'utf8'))).toBe(body(snippets.get('main.mjs') as string));
    expect(body(readFileSync(example('tasks.mjs'), 'utf8'))).toBe(body(snippets.get('tasks.mjs') as string));
    const { stdout } = await run(process.execPath, [example('main.mjs')], { timeout: 60_000 });
    expect(stdout.trim().split('\n')).toHaveLength(8);
  });

  it('the quick start surfaces a task module that cannot load: exit code 1, the WorkerInitError on stderr, no result printed', async () => {
    const dir = tmp({ 'main.mjs': readFileSync(example('main.mjs'), 'utf8') }); // no tasks.mjs beside it
    const error = (await run(process.execPath, [join(dir, 'main.mjs')], { timeout: 60_000 }).then(
      () => undefined,
      (e: unknown) => e,
    )) as { code?: number; stdout?: string; stderr?: string } | undefined;
    expect(error?.code).toBe(1);
    expect(error?.stdout).toBe('');
    expect(error?.stderr).toContain('WorkerInitError: The worker could not load the task module');
    expect(error?.stderr).toContain(join(dir, 'tasks.mjs'));
  });

  it('the TypeScript snippet runs under tsx as written, its ./tasks.js URL loading tasks.ts (the only task module on disk)', async () => {
    const tasks = `${snippets.get('tasks.mjs') as string}export type Tasks = typeof tasks;\n`;
    const main = `${snippets.get('main.ts') as string}console.log(\`17 is prime: \${prime}\`);\n`;
    const dir = tmp({ 'package.json': '{ "type": "module" }', 'tasks.ts': tasks, 'main.ts': main });
    const root = fileURLToPath(new URL('..', import.meta.url)); // where tsx is installed
    const { stdout } = await run(process.execPath, ['--import', 'tsx', join(dir, 'main.ts')], { cwd: root, timeout: 60_000 });
    expect(stdout.trim()).toBe('17 is prime: true');
  });

  it('the CommonJS snippet runs as written: require() loads the ESM packages (require(esm), Node >= 20.19)', async () => {
    const dir = tmp({ 'tasks.mjs': snippets.get('tasks.mjs') as string, 'main.cjs': snippets.get('main.cjs') as string });
    const { stdout, stderr } = await run(process.execPath, [join(dir, 'main.cjs')], { timeout: 60_000 });
    expect(stdout.trim()).toBe('17 is prime: true');
    expect(stderr).toBe('');
  });
});
