/**
 * Runtimes other than Node. Each is one step that starts the runtime on the
 * suite's runner (packages/bench/dist/web-main.js for Deno and Bun, a page
 * served by vite for Chromium) and collects the JSON lines it prints: one
 * adapter entry per runtime below.
 * @module
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type Adapter,
  type FlagSource,
  planSteps,
  type Result,
  type RunnerLine,
  SIZES,
  SMOKE_WORKLOADS,
  type Step,
  type WebRunConfig,
  WORKLOADS,
  workerCounts,
} from '@offload/bench';
import { bullmqSteps } from './bullmq.js';
import type { CliOptions } from './cli.js';
import { expectedSeconds } from './eta.js';

/** Runtimes the app knows. */
export const RUNTIMES = ['node', 'deno', 'bun', 'chromium', 'bullmq'];

const require = createRequire(import.meta.url);
/** packages/bench (resolved through the workspace link). */
const BENCH_DIR = dirname(require.resolve('@offload/bench/package.json'));
const ROOT = resolve(BENCH_DIR, '../..');
const APP_BIN = resolve(ROOT, 'apps/bench/node_modules/.bin');

/** Node peers run under Bun's Node compatibility. */
const BUN_PEERS = ['piscina', 'tinypool', 'poolifier'];

/** Peers bundled into the Chromium page. */
const WEB_PEERS = ['workerpool'];

/** How long one runtime may take before it is stopped. */
const LIMIT_MS = { full: 20 * 60_000, quick: 5 * 60_000, smoke: 60_000 };

function which(name: string): string | undefined {
  const local = resolve(APP_BIN, name);
  if (existsSync(local)) return local;
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** The dist entry of a workspace backend, if it is built. */
function backendEntry(pkg: string): string | undefined {
  const file = resolve(ROOT, 'packages', pkg, 'dist/index.js');
  return existsSync(file) ? file : undefined;
}

/** Samples a runner will take and the seconds they are expected to take, for the progress bar (same plan, stub adapters). */
function countRuns(cfg: WebRunConfig, adapterNames: string[], peerNames: string[], memory: boolean): { runs: number; seconds: number } {
  const stub = (name: string): Adapter => ({
    name,
    kind: name === 'raw-worker' ? 'raw' : peerNames.includes(name) ? 'peer' : 'offload',
    isolation: 'thread',
    create: () => ({ run: async () => 0, close: async () => {} }),
  });
  const adapters = adapterNames.map(stub).filter((a) => !cfg.backends || cfg.backends.includes(a.name) || cfg.backends.includes(a.kind));
  const pool = cfg.mode === 'smoke' ? SMOKE_WORKLOADS : WORKLOADS;
  return planSteps({
    runtime: cfg.runtime,
    sizes: SIZES[cfg.mode],
    workloads: cfg.workloads ? pool.filter((w) => cfg.workloads?.includes(w.name)) : pool,
    scaling: cfg.mode === 'full' ? adapters : adapters.filter((a) => a.kind !== 'peer'),
    adapters,
    workerCounts: cfg.workerCounts,
    maxWorkers: cfg.maxWorkers,
    scenarios: cfg.scenarios,
    memory: memory ? () => 0 : undefined,
    io: cfg.io,
  }).reduce((n, s) => ({ runs: n.runs + s.runs, seconds: n.seconds + expectedSeconds(s, cfg.mode) }), { runs: 0, seconds: 0 });
}

/** Collect runner lines until `done`; ticks feed the progress bar. */
function collect(
  runtime: string,
  notes: string[],
  tick: () => void,
): { onLine: (line: string) => void; done: Promise<{ results: Result[]; version: string }>; fail: (why: string) => void } {
  let finish!: (v: { results: Result[]; version: string }) => void;
  let settled = false;
  const done = new Promise<{ results: Result[]; version: string }>((r) => {
    finish = r;
  });
  return {
    onLine(text) {
      let line: RunnerLine;
      try {
        line = JSON.parse(text) as RunnerLine;
      } catch {
        return;
      }
      if (line.type === 'tick') tick();
      else if (line.type === 'done' && !settled) {
        settled = true;
        notes.push(...line.notes);
        finish({ results: line.results, version: line.version });
      }
    },
    fail(why) {
      if (settled) return;
      settled = true;
      notes.push(`${runtime}: ${why}`);
      finish({ results: [], version: 'unknown' });
    },
    done,
  };
}

function runProcess(runtime: string, cmd: string, args: string[], limit: number, notes: string[], tick: () => void) {
  const c = collect(runtime, notes, tick);
  const child: ChildProcess = spawn(cmd, args, { cwd: BENCH_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
  let buf = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let i = buf.indexOf('\n');
    while (i >= 0) {
      c.onLine(buf.slice(0, i));
      buf = buf.slice(i + 1);
      i = buf.indexOf('\n');
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    err = (err + d).slice(-2000);
  });
  const timer = setTimeout(() => {
    c.fail(`stopped after ${limit / 1000} s`);
    child.kill('SIGKILL');
  }, limit);
  child.on('exit', (code) => {
    clearTimeout(timer);
    c.fail(`runner exited with code ${code} before its results: ${err.trim().split('\n').slice(-3).join(' | ')}`);
  });
  return c.done;
}

/** A page and its origin: served by us, closed after the run. */
interface Served {
  url: string;
  /** How the page's modules are delivered, for the notes. */
  how: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.html': 'text/html', '.map': 'application/json' };

/**
 * Bundle the runner page as an application would ship it: vite (rollup)
 * builds the page, the Offload task module and the raw Worker module as three
 * entries of one build (shared code in chunks), served by a tiny static server.
 * Serving unbundled modules instead (vite's dev server) adds a fetch per
 * module of the task graph to every worker start.
 */
async function serveBundle(backendModule: string | undefined): Promise<Served> {
  const { build } = await import('vite');
  const out = mkdtempSync(join(os.tmpdir(), 'offload-bench-chromium-'));
  // The entry lives in packages/bench/dist so that its bare imports resolve as the suite's do.
  const entry = resolve(BENCH_DIR, 'dist/chromium-entry.tmp.js');
  writeFileSync(
    entry,
    `${backendModule ? `import { createExecutor } from '${backendModule}';\n` : ''}import { runWeb } from './web-runner.js';
import { workerpoolWebPeer } from './peers-web.js';
const here = import.meta.url;
const name = (n) => new URL(n, here);
const g = globalThis;
const cfg = JSON.parse(decodeURIComponent(location.hash.slice(1)));
const emit = (line) => g.__benchEmit(JSON.stringify(line));
const peers = [workerpoolWebPeer(name(['peer-workerpool', 'js'].join('.')))];
runWeb(cfg, emit, { tasksUrl: name(['tasks', 'js'].join('.')), rawUrl: name(['raw-web', 'js'].join('.')), peers${backendModule ? ', createExecutor' : ''} })
  .catch((e) => emit({ type: 'done', results: [], notes: ['chromium: ' + String(e && e.stack || e)], version: 'unknown' }));
`,
  );
  try {
    await build({
      root: BENCH_DIR,
      configFile: false,
      logLevel: 'error',
      publicDir: false,
      build: {
        outDir: out,
        emptyOutDir: true,
        minify: false,
        target: 'es2022',
        modulePreload: false,
        reportCompressedSize: false,
        rollupOptions: {
          input: {
            main: entry,
            tasks: resolve(BENCH_DIR, 'dist/tasks.js'),
            'raw-web': resolve(BENCH_DIR, 'dist/raw-web.js'),
            'peer-workerpool': resolve(BENCH_DIR, 'dist/peer-workerpool.js'),
          },
          preserveEntrySignatures: 'allow-extension',
          output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
        },
      },
    });
  } finally {
    rmSync(entry, { force: true });
  }
  writeFileSync(join(out, 'index.html'), '<!doctype html><meta charset="utf-8"><title>Offload bench</title><script type="module" src="./main.js"></script>\n');
  const server = createHttpServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^([/\\])+/, '');
    const file = join(out, path === '' ? 'index.html' : path);
    if (!file.startsWith(out) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store', ...ISOLATED });
    res.end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/index.html`,
    how: 'bundled by vite build',
    close: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(out, { recursive: true, force: true });
    },
  };
}

/**
 * Headers that make the page cross-origin isolated, as an application that wants
 * SharedArrayBuffer serves itself: then Offload's browser backend sends short tasks
 * ahead to busy workers (claim slots), as on Node, Deno and Bun.
 */
const ISOLATED = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

/** Fallback: the unbundled modules through vite's dev server. */
async function serveDev(): Promise<Served> {
  const { createServer } = await import('vite');
  const server = await createServer({
    root: ROOT,
    configFile: false,
    logLevel: 'error',
    clearScreen: false,
    server: { host: '127.0.0.1', port: 0, strictPort: false, fs: { allow: [ROOT] }, hmr: false, watch: null, headers: ISOLATED },
    optimizeDeps: { noDiscovery: true, include: [] },
  });
  await server.listen();
  const address = server.httpServer?.address();
  const port = typeof address === 'object' && address ? address.port : 5173;
  return { url: `http://127.0.0.1:${port}/apps/bench/browser/index.html`, how: "unbundled through vite's dev server", close: () => server.close() };
}

async function runChromium(cfg: WebRunConfig, limit: number, notes: string[], tick: () => void, executablePath: string) {
  const c = collect('chromium', notes, tick);
  const { chromium } = await import('playwright-core');
  let served: Served;
  try {
    served = await serveBundle(cfg.backend ? '@offload/browser' : undefined);
  } catch (error) {
    notes.push(`chromium: bundling the runner failed (${error instanceof Error ? error.message : String(error)}); modules served unbundled instead`);
    served = await serveDev();
  }
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const timer = setTimeout(() => c.fail(`stopped after ${limit / 1000} s`), limit);
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => c.fail(`page error: ${e.message}`));
    await page.exposeFunction('__benchEmit', (line: string) => c.onLine(line));
    await page.goto(`${served.url}#${encodeURIComponent(JSON.stringify(cfg))}`);
    const out = await c.done;
    return { ...out, version: `${browser.version()} (page ${served.how})` };
  } finally {
    clearTimeout(timer);
    await browser.close().catch(() => {});
    await served.close().catch(() => {});
  }
}

/** Steps of the other runtimes the options ask for; a runtime that is not present is skipped with a note. */
export async function otherRuntimeSteps(o: CliOptions, notes: string[], versions: Record<string, string>, tick: () => void, io?: FlagSource): Promise<Step[]> {
  const steps: Step[] = [];
  const maxWorkers = o.workers ?? os.availableParallelism();
  const flags = io ? { bases: io.bases, latencyMs: io.latencyMs } : undefined;
  const base = {
    mode: o.mode,
    scenarios: o.scenarios,
    workloads: o.workloads,
    backends: o.backends,
    workerCounts: workerCounts(maxWorkers),
    maxWorkers,
    io: flags,
  };
  const runnerJs = resolve(BENCH_DIR, 'dist/web-main.js');
  const limit = LIMIT_MS[o.mode];

  const add = (
    runtime: string,
    cfg: WebRunConfig,
    names: string[],
    peers: string[],
    memory: boolean,
    go: () => Promise<{ results: Result[]; version: string }>,
  ) => {
    steps.push({
      label: `${runtime} (${names.join(', ')})`,
      kind: `runtime:${runtime}`,
      ...countRuns(cfg, names, peers, memory),
      async run() {
        const out = await go();
        versions[runtime] = out.version;
        return out.results;
      },
    });
  };

  for (const runtime of ['deno', 'bun'] as const) {
    if (!o.runtimes.includes(runtime)) continue;
    const bin = which(runtime);
    if (!bin) {
      notes.push(`${runtime}: not installed, skipped`);
      continue;
    }
    const entry = backendEntry('deno-bun');
    if (!entry) notes.push(`${runtime}: @offload/deno-bun is not built (no dist); only the raw Worker floor runs`);
    // Under Bun's Node compatibility the Node peers run too (a peer that fails or hangs there shows as such).
    const peers = runtime === 'bun' ? { module: pathToFileURL(resolve(BENCH_DIR, 'dist/peers-compat.js')).href, names: BUN_PEERS } : undefined;
    const cfg: WebRunConfig = { runtime, ...base, backend: entry ? { name: 'deno-bun', module: pathToFileURL(entry).href } : undefined, peers };
    const names = [...(entry ? ['deno-bun'] : []), ...(peers?.names ?? []), 'raw-worker'];
    const args =
      runtime === 'deno'
        ? ['run', '--allow-read', '--allow-env', '--allow-sys', '--allow-net=127.0.0.1', '--v8-flags=--expose-gc', runnerJs, JSON.stringify(cfg)]
        : [runnerJs, JSON.stringify(cfg)];
    add(runtime, cfg, names, peers?.names ?? [], true, () => runProcess(runtime, bin, args, limit, notes, tick));
  }

  if (o.runtimes.includes('chromium')) {
    const exe = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
    if (!existsSync(exe)) notes.push(`chromium: ${exe} not found (apt-get install chromium, or set CHROMIUM_PATH), skipped`);
    else {
      const entry = backendEntry('browser');
      if (!entry) notes.push('chromium: @offload/browser is not built (no dist); only the raw Worker floor runs');
      const cfg: WebRunConfig = { runtime: 'chromium', ...base, backend: entry ? { name: 'browser', module: '/packages/browser/dist/index.js' } : undefined };
      // workerpool runs in a browser (module Web Workers), bundled into the page beside the backend.
      const names = [...(entry ? ['browser'] : []), ...WEB_PEERS, 'raw-worker'];
      add('chromium', cfg, names, WEB_PEERS, false, () => runChromium(cfg, limit, notes, tick, exe));
    }
  }

  if (o.runtimes.includes('bullmq')) steps.push(...(await bullmqSteps(o, notes, versions, tick)));
  return steps;
}
