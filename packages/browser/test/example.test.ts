/**
 * The Vite example page computes the seed is_prime candidates in Chromium, both
 * from the dev server and from a production build (which needs the offloadWorkers plugin).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright';
import { build, createServer, preview } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rewriteWorkerUrls } from '../src/vite.js';

const root = fileURLToPath(new URL('../example/', import.meta.url));
const configFile = join(root, 'vite.config.ts');
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const required = Boolean(process.env.CI || process.env.OFFLOAD_REQUIRE_RUNTIMES);
const present = existsSync(executablePath);
if (!present && !required) console.log(`[offload] skipping the browser example test: no Chromium at ${executablePath}.`);

const expected = [
  '112272535095293: prime',
  '112582705942171: prime',
  '112272535095293: prime',
  '115280095190773: prime',
  '115797848077099: prime',
  '1099726899285419: not prime',
  '17: prime',
  '4: not prime',
];

describe('offloadWorkers (vite plugin)', () => {
  it('rewrites createExecutor(new URL(...)) into the literal module Worker pattern', () => {
    const out = rewriteWorkerUrls("const ex = createExecutor<Tasks>(new URL('./tasks.ts', import.meta.url), { maxWorkers: 4 });");
    expect(out).toBe("const ex = createExecutor<Tasks>(() => new Worker(new URL('./tasks.ts', import.meta.url), { type: 'module' }), { maxWorkers: 4 });");
    expect(rewriteWorkerUrls('createExecutor(url)')).toBe('createExecutor(url)');
  });
});

describe.skipIf(!present && !required)('browser example page (Vite, Chromium)', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** Load the page and wait for it to finish: its status line and the page errors. */
  const load = async (url: string): Promise<{ status: string; items: string[]; errors: string[] }> => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForSelector('body[data-state="done"], body[data-state="failed"]', { timeout: 30_000 });
    const status = (await page.locator('#status').textContent()) ?? '';
    const items = await page.locator('#results li').allInnerTexts();
    await page.close();
    return { status, items, errors };
  };

  const results = async (url: string): Promise<string[]> => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForSelector('body[data-state="done"], body[data-state="failed"]', { timeout: 30_000 });
    const status = await page.locator('#status').textContent();
    const items = await page.locator('#results li').allInnerTexts();
    await page.close();
    expect(errors).toEqual([]);
    expect(status ?? '').toMatch(/^done in \d+ ms/);
    return items;
  };

  it('computes the seed candidates from the dev server', async () => {
    const server = await createServer({ configFile, logLevel: 'warn', server: { host: '127.0.0.1', port: 0 } });
    await server.listen();
    try {
      expect(await results(server.resolvedUrls?.local[0] as string)).toEqual(expected);
    } finally {
      await server.close();
    }
  });

  it('computes the seed candidates from a production build', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'offload-example-'));
    try {
      await build({ configFile, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
      const server = await preview({ configFile, logLevel: 'warn', build: { outDir }, preview: { host: '127.0.0.1', port: 0 } });
      try {
        expect(await results(server.resolvedUrls?.local[0] as string)).toEqual(expected);
      } finally {
        await new Promise<void>((r) => server.httpServer.close(() => r()));
      }
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });

  it('a production build without the offloadWorkers() plugin fails with a WorkerInitError that names the plugin', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'offload-example-'));
    // The example's config without its plugin: Vite copies tasks.ts as a raw asset.
    const bare = { root, configFile: false as const, logLevel: 'warn' as const, worker: { format: 'es' as const } };
    try {
      await build({ ...bare, build: { outDir, emptyOutDir: true, target: 'es2022' } });
      const server = await preview({ ...bare, build: { outDir }, preview: { host: '127.0.0.1', port: 0 } });
      try {
        const { status, errors } = await load(server.resolvedUrls?.local[0] as string);
        expect(errors).toEqual([]);
        // Vite inlines the small tasks.ts as a data: URL of type video/mp2t (or emits it as an asset, a .ts file served so).
        expect(status).toMatch(
          /^failed: The worker could not start the task module: The task module \S+ could not be loaded: it is served as video\/mp2t, not as JavaScript\./,
        );
        expect(status).toContain('with Vite, add the offloadWorkers() plugin');
      } finally {
        await new Promise<void>((r) => server.httpServer.close(() => r()));
      }
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});
