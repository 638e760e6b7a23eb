/**
 * The bench app: `pnpm bench` (or `tsx src/cli.ts`). Runs every runtime
 * present, shows progress on stderr, prints tables on stdout, writes
 * results.json and a self-contained report.html.
 * @module
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Adapter,
  type BenchConfig,
  evaluateTargets,
  guardFigures,
  planSteps,
  type Report,
  type Result,
  renderHtml,
  renderText,
  runSteps,
  type Scenario,
  SIZES,
  SMOKE_WORKLOADS,
  type Step,
  WORKLOADS,
  workerCounts,
} from '@offload/bench';

export { workerCounts };

import { type FlagsServer, startFlagsServerThread } from '@offload/bench/flags-server.js';
import { machineFacts, nodeAdapters, nodeLagProbe, nodeMemory } from '@offload/bench/node.js';
import { cac } from 'cac';
import cliProgress from 'cli-progress';
import { Estimate, formatSeconds } from './eta.js';
import { otherRuntimeSteps, RUNTIMES } from './runtimes.js';

const require = createRequire(import.meta.url);
const APP_DIR = fileURLToPath(new URL('..', import.meta.url));

const ALL_SCENARIOS: Scenario[] = ['scaling', 'burst', 'pingpong', 'cold-start', 'map', 'head-of-line', 'stream', 'memory', 'io', 'mixed'];

/** Parsed command line. */
export interface CliOptions {
  mode: 'full' | 'quick' | 'smoke';
  out: string;
  runtimes: string[];
  backends?: string[];
  workloads?: string[];
  scenarios: Scenario[];
  workers?: number;
  /** Latency of the flags server of the io and mixed scenarios, in ms (default: per mode, 100 ms in a full run). */
  latency?: number;
  /** A bar on a terminal, one line per step otherwise (logs, CI), or nothing. */
  progress: 'bar' | 'lines' | 'none';
}

const list = (v: unknown): string[] | undefined =>
  v === undefined || v === ''
    ? undefined
    : String(v)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);

/** The Node part of the run, as steps. */
async function nodeSteps(o: CliOptions, notes: string[], tick: () => void, io: FlagsServer | undefined): Promise<Step[]> {
  const all = await nodeAdapters(notes);
  const pick = (a: Adapter) => !o.backends || o.backends.includes(a.name) || o.backends.includes(a.kind);
  const adapters = all.filter(pick);
  const scalingAdapters = o.mode === 'full' ? adapters : adapters.filter((a) => a.kind !== 'peer');
  const maxWorkers = o.workers ?? os.availableParallelism();
  const pool = o.mode === 'smoke' ? SMOKE_WORKLOADS : WORKLOADS;
  const workloads = o.workloads ? pool.filter((w) => o.workloads?.includes(w.name)) : pool;
  const cfg: BenchConfig = {
    runtime: 'node',
    sizes: SIZES[o.mode],
    workloads,
    scaling: o.mode === 'smoke' ? scalingAdapters.filter((a) => a.name === 'node-worker' || a.name === 'raw-postMessage') : scalingAdapters,
    adapters,
    workerCounts: workerCounts(maxWorkers),
    maxWorkers,
    scenarios: o.scenarios,
    memory: nodeMemory,
    tick,
    io,
    lag: nodeLagProbe,
  };
  return planSteps(cfg);
}

/** The progress display of a run: a bar on a terminal (or nothing), fed by the time estimate of eta.ts. */
interface Progress {
  bar?: cliProgress.SingleBar;
  estimate?: Estimate;
}

/** Show progress and run the steps (a bar on a terminal, one line per step otherwise). */
async function runPlan(o: CliOptions, steps: Step[], progress: Progress) {
  const estimate = new Estimate(steps, o.mode);
  progress.estimate = estimate;
  if (o.progress === 'bar') {
    progress.bar = new cliProgress.SingleBar(
      // The time left comes from measured per-step durations (eta.ts), not from the sample rate, which varies 100-fold between steps.
      { format: '{bar} {percentage}% | {value}/{total} samples | about {left} left | {step}', stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    progress.bar.start(
      steps.reduce((n, s) => n + s.runs, 0),
      0,
      { step: '', left: formatSeconds(estimate.remaining()) },
    );
  }
  const bar = progress.bar;
  let index = 0;
  const started = performance.now();
  let stepStarted = started;
  const done = await runSteps(steps, (s) => {
    index++;
    const t = performance.now();
    estimate.next(index > 1 ? (t - stepStarted) / 1000 : undefined);
    stepStarted = t;
    const left = formatSeconds(estimate.remaining());
    if (bar) bar.update({ step: s.label, left });
    else if (o.progress === 'lines')
      process.stderr.write(`[${index}/${steps.length}] ${Math.round((t - started) / 1000)} s, about ${left} left · ${s.label}\n`);
  });
  bar?.stop();
  return done;
}

/** Run the bench; returns the report (also written to `o.out`). */
export async function run(o: CliOptions): Promise<Report> {
  const notes: string[] = [];
  const progress: Progress = {};
  const tick = () => {
    progress.estimate?.tick();
    progress.bar?.increment(1, { left: formatSeconds(progress.estimate?.remaining() ?? 0) });
  };
  const steps: Step[] = [];
  const versions: Record<string, string> = {};
  // The io and mixed scenarios' loopback "CDN", on its own thread so that it answers on time while a scenario blocks this one.
  const io =
    o.scenarios.includes('io') || o.scenarios.includes('mixed')
      ? await startFlagsServerThread({ latencyMs: o.latency ?? SIZES[o.mode].io.latencyMs }).catch((error: unknown) => {
          notes.push(`io, mixed: the loopback flags server did not start (${error instanceof Error ? error.message : String(error)}); both are skipped`);
          return undefined;
        })
      : undefined;
  let done: Awaited<ReturnType<typeof runSteps>>;
  try {
    if (o.runtimes.includes('node')) steps.push(...(await nodeSteps(o, notes, tick, io)));
    steps.push(...(await otherRuntimeSteps(o, notes, versions, tick, io)));
    done = await runPlan(o, steps, progress);
  } finally {
    await io?.close();
  }
  // No negative or non-finite figure reaches results.json as a measurement.
  const results: Result[] = guardFigures(done.results);
  notes.push(...done.notes);
  const report: Report = {
    schema: 1,
    createdAt: new Date().toISOString(),
    mode: o.mode,
    machine: machineFacts(versions),
    options: { ...o },
    results,
    targets: evaluateTargets(results),
    notes,
  };
  mkdirSync(o.out, { recursive: true });
  writeFileSync(resolve(o.out, 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
  const chartJs = readFileSync(resolve(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
  writeFileSync(resolve(o.out, 'report.html'), renderHtml(report, chartJs));
  return report;
}

/** Parse argv (without node and script) into options. */
export function parse(argv: string[]): CliOptions | undefined {
  const cli = cac('offload-bench');
  cli
    .usage('[options]')
    .option('--quick', 'Fewer samples, no peers in the scaling table')
    .option('--smoke', 'Tiny sizes, one sample: checks the pipeline, not the timings')
    .option('--out <dir>', 'Folder for results.json and report.html', { default: resolve(APP_DIR, 'results') })
    .option('--runtimes <list>', 'Runtimes to run, comma-separated', { default: RUNTIMES.join(',') })
    .option('--backends <list>', 'Backends, peers or floors to keep (names, or offload/peer/raw), comma-separated')
    .option('--workloads <list>', `Scaling workloads, comma-separated (default: all, ${WORKLOADS.map((w) => w.name).join(',')})`)
    .option('--scenarios <list>', 'Scenarios to run, comma-separated', { default: ALL_SCENARIOS.join(',') })
    .option('--workers <n>', 'Most workers (default: available parallelism)')
    .option('--latency <ms>', 'Latency of the loopback flags server of the io and mixed scenarios (default: 100 ms; 50 with --quick)')
    .option('--no-progress', 'Nothing on stderr (without it: a progress bar on a terminal, one line per step otherwise)')
    .example('  $ pnpm bench -- --quick --runtimes node --scenarios scaling,memory')
    // cac gives a negated flag `default: true`, which would print as `--no-progress ... (default: true)`.
    .help((sections) => sections.map((s) => ({ ...s, body: s.body.replace(/ \(default: true\)/g, '').replace(/ +$/gm, '') })));
  // `pnpm bench -- --quick` may pass the `--` through; cac would treat what follows as positional.
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  const { options } = cli.parse(['node', 'offload-bench', ...args]);
  if (options.help) return undefined;
  const scenarios = (list(options.scenarios) ?? ALL_SCENARIOS) as Scenario[];
  for (const s of scenarios) if (!ALL_SCENARIOS.includes(s)) throw new Error(`unknown scenario "${s}"`);
  const runtimes = list(options.runtimes) ?? RUNTIMES;
  for (const r of runtimes) if (!RUNTIMES.includes(r)) throw new Error(`unknown runtime "${r}"`);
  // A bare `--latency` (or one followed by a negative number, which reads as a flag) parses as `true`.
  const latency = options.latency === undefined ? undefined : typeof options.latency === 'number' ? options.latency : Number.NaN;
  if (latency !== undefined && !(Number.isFinite(latency) && latency >= 0)) throw new Error(`--latency must be a number of ms >= 0; got "${options.latency}"`);
  const workloads = list(options.workloads);
  const known = [...WORKLOADS, ...SMOKE_WORKLOADS].map((w) => w.name);
  for (const w of workloads ?? []) if (!known.includes(w)) throw new Error(`unknown workload "${w}" (known: ${WORKLOADS.map((x) => x.name).join(', ')})`);
  return {
    mode: options.smoke ? 'smoke' : options.quick ? 'quick' : 'full',
    // pnpm runs the app in apps/bench; a relative --out is taken from where the user typed the command.
    out: resolve(process.env.INIT_CWD ?? process.cwd(), String(options.out)),
    runtimes,
    backends: list(options.backends),
    workloads,
    scenarios,
    workers: options.workers ? Number(options.workers) : undefined,
    latency,
    progress: options.progress === false ? 'none' : process.stderr.isTTY ? 'bar' : 'lines',
  };
}

async function main(): Promise<void> {
  const o = parse(process.argv.slice(2));
  if (!o) return;
  const t = performance.now();
  const report = await run(o);
  process.stdout.write(`${renderText(report)}\n\n`);
  process.stdout.write(`wrote ${resolve(o.out, 'results.json')} and ${resolve(o.out, 'report.html')} in ${Math.round((performance.now() - t) / 1000)} s\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
