/**
 * The responsiveness benchmark. For each runtime present and each mode
 * (offload, --blocking) it starts the server on a free loopback port, keeps
 * it saturated with GET /fib/:n (autocannon, several connections) and at the
 * same time measures GET /health latency (autocannon, one connection at a
 * fixed rate). Before that it takes the same /health probe with no load for
 * a few seconds: the baseline the machine itself allows (on a shared machine
 * the tail comes mostly from other processes). Prints a table, then the same
 * results as JSON.
 *
 *   tsx src/load.ts [--runtimes node,deno,bun] [--modes offload,blocking]
 *                   [--duration 5] [--fib 30] [--connections 4] [--workers n]
 *                   [--health-rate 50] [--json results.json]
 *
 * Loopback only, bounded: at most 60 s and 100000 requests per measurement.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import autocannon from 'autocannon';
import { APP_DIR, RUNTIMES, type Runtime, serverCommand } from './runtimes.ts';

type Mode = 'offload' | 'blocking';

interface Options {
  runtimes: Runtime[];
  modes: Mode[];
  duration: number;
  fib: number;
  connections: number;
  workers: number;
  healthRate: number;
  json: string | undefined;
}

interface Row {
  runtime: Runtime;
  version: string;
  mode: Mode;
  workers: number;
  fibN: number;
  seconds: number;
  fib: { ok: number; perSecond: number; p50: number; p99: number; non2xx: number; errors: number };
  health: { ok: number; p50: number; p99: number; max: number; errors: number };
  /** /health with no fib load, same probe: what the machine itself adds (noisy neighbours, scheduler). */
  idle: { ok: number; p50: number; p99: number; max: number };
  error?: string;
}

const HOST = '127.0.0.1';
const MAX_SECONDS = 60;
const MAX_REQUESTS = 100_000;
/** Length of the idle /health baseline taken before each loaded run. */
const IDLE_SECONDS = 3;

function parse(argv: string[]): Options {
  const o: Options = {
    runtimes: [...RUNTIMES],
    modes: ['offload', 'blocking'],
    duration: 5,
    fib: 30,
    connections: 4,
    // Leave one core for the server's event loop and this load generator.
    workers: Math.max(1, availableParallelism() - 1),
    healthRate: 50,
    json: undefined,
  };
  const num = (flag: string, v: string | undefined, min: number, max: number): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) throw new Error(`${flag} must be a number from ${min} to ${max}; got ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const v = argv[i + 1];
    i++;
    switch (flag) {
      case '--runtimes':
        o.runtimes = (v ?? '').split(',').filter(Boolean) as Runtime[];
        for (const r of o.runtimes) if (!RUNTIMES.includes(r)) throw new Error(`unknown runtime ${r}; use ${RUNTIMES.join(',')}`);
        break;
      case '--modes':
        o.modes = (v ?? '').split(',').filter(Boolean) as Mode[];
        for (const m of o.modes) if (m !== 'offload' && m !== 'blocking') throw new Error(`unknown mode ${m}; use offload,blocking`);
        break;
      case '--duration':
        o.duration = num(flag, v, 2, MAX_SECONDS);
        break;
      case '--fib':
        o.fib = Math.round(num(flag, v, 1, 42));
        break;
      case '--connections':
        o.connections = Math.round(num(flag, v, 1, 64));
        break;
      case '--workers':
        o.workers = Math.round(num(flag, v, 1, 64));
        break;
      case '--health-rate':
        o.healthRate = Math.round(num(flag, v, 1, 1000));
        break;
      case '--json':
        o.json = v;
        break;
      case '--':
        i--;
        break;
      default:
        throw new Error(`unknown option ${flag}; see the comment at the top of src/load.ts`);
    }
  }
  return o;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

const round = (x: number) => Math.round(x * 100) / 100;

/** Start the server and resolve with its port once it prints "listening". */
function startServer(command: string, args: string[]): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: APP_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start within 60 s: ${err.trim()}`));
    }, 60_000);
    child.stdout?.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const m = /"event":"listening".*?"port":(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]) });
      }
    });
    child.stderr?.setEncoding('utf8').on('data', (c: string) => {
      err += c;
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening: ${err.trim().split('\n').slice(0, 3).join(' | ')}`));
    });
  });
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(t);
}

function cannon(opts: autocannon.Options, onResponse?: (ms: number, status: number) => void): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
    if (onResponse) {
      instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => onResponse(ms, status));
    }
  });
}

async function measure(runtime: Runtime, mode: Mode, o: Options): Promise<Row> {
  const args = ['--port', '0', '--host', HOST, '--workers', String(o.workers), '--max-queue', '256'];
  if (mode === 'blocking') args.push('--blocking');
  const found = serverCommand(runtime, args);
  const row: Row = {
    runtime,
    version: found.ok ? found.version : '-',
    mode,
    workers: mode === 'blocking' ? 0 : o.workers,
    fibN: o.fib,
    seconds: o.duration,
    fib: { ok: 0, perSecond: Number.NaN, p50: Number.NaN, p99: Number.NaN, non2xx: 0, errors: 0 },
    health: { ok: 0, p50: Number.NaN, p99: Number.NaN, max: Number.NaN, errors: 0 },
    idle: { ok: 0, p50: Number.NaN, p99: Number.NaN, max: Number.NaN },
  };
  if (!found.ok) {
    row.error = found.reason;
    return row;
  }
  let server: { child: ChildProcess; port: number } | undefined;
  try {
    server = await startServer(found.command, found.args);
    const base = `http://${HOST}:${server.port}`;
    // Warm up: start the workers and let the JIT see fib.
    await cannon({ url: `${base}/fib/${o.fib}`, connections: o.connections, amount: o.connections * 4, timeout: 60 });
    await cannon({ url: `${base}/health`, connections: 1, amount: 50 });

    // Baseline: the same /health probe with nothing else running.
    const idleMs: number[] = [];
    await cannon(
      { url: `${base}/health`, connections: 1, overallRate: o.healthRate, duration: IDLE_SECONDS, maxOverallRequests: MAX_REQUESTS },
      (ms, status) => {
        if (status === 200) idleMs.push(ms);
      },
    );
    idleMs.sort((a, b) => a - b);
    row.idle = {
      ok: idleMs.length,
      p50: round(percentile(idleMs, 50)),
      p99: round(percentile(idleMs, 99)),
      max: round(idleMs.at(-1) ?? Number.NaN),
    };

    const healthMs: number[] = [];
    let healthBad = 0;
    const load = cannon({
      url: `${base}/fib/${o.fib}`,
      connections: o.connections,
      duration: o.duration,
      maxOverallRequests: MAX_REQUESTS,
      timeout: 60,
    });
    // Let the pool fill up before sampling /health, and stop sampling before the load ends.
    await sleep(500);
    const probe = await cannon(
      {
        url: `${base}/health`,
        connections: 1,
        overallRate: o.healthRate,
        duration: Math.max(1, o.duration - 1),
        maxOverallRequests: MAX_REQUESTS,
        timeout: 60,
      },
      (ms, status) => {
        if (status === 200) healthMs.push(ms);
        else healthBad++;
      },
    );
    const fib = await load;
    healthMs.sort((a, b) => a - b);
    const fibOk = fib['2xx'];
    row.seconds = round(fib.duration);
    row.fib = {
      ok: fibOk,
      perSecond: round(fibOk / fib.duration),
      p50: fib.latency.p50,
      p99: fib.latency.p99,
      non2xx: fib.non2xx,
      errors: fib.errors,
    };
    row.health = {
      ok: healthMs.length,
      p50: round(percentile(healthMs, 50)),
      p99: round(percentile(healthMs, 99)),
      max: round(healthMs.at(-1) ?? Number.NaN),
      errors: healthBad + probe.errors,
    };
  } catch (e) {
    row.error = e instanceof Error ? e.message : String(e);
  } finally {
    if (server) await stopServer(server.child);
  }
  return row;
}

function table(rows: Row[]): string {
  const head = ['runtime', 'mode', 'workers', 'fib/s', 'fib p50 ms', '/health p50 ms', 'p99 ms', 'max ms', '/health n', 'idle p99 ms', 'idle max ms', 'errors'];
  const body = rows.map((r) =>
    r.error
      ? [r.runtime, r.mode, String(r.workers), `not measured: ${r.error.replaceAll('|', '/').slice(0, 160)}`, '', '', '', '', '', '', '', '']
      : [
          `${r.runtime} ${r.version.replace(/^(deno |bun |v)/, '').split(' ')[0]}`,
          r.mode,
          String(r.workers),
          String(r.fib.perSecond),
          String(r.fib.p50),
          String(r.health.p50),
          String(r.health.p99),
          String(r.health.max),
          String(r.health.ok),
          String(r.idle.p99),
          String(r.idle.max),
          String(r.fib.errors + r.fib.non2xx + r.health.errors),
        ],
  );
  const lines = [head, head.map(() => '---'), ...body].map((cells) => `| ${cells.join(' | ')} |`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const o = parse(process.argv.slice(2));
  console.error(
    `load: /fib/${o.fib} on ${o.connections} connections for ${o.duration} s, /health at ${o.healthRate}/s on 1 connection; ${o.workers} worker(s); runtimes ${o.runtimes.join(', ')}; modes ${o.modes.join(', ')}`,
  );
  const rows: Row[] = [];
  for (const runtime of o.runtimes) {
    for (const mode of o.modes) {
      console.error(`  ${runtime} ${mode} ...`);
      rows.push(await measure(runtime, mode, o));
    }
  }
  const result = {
    machine: { cores: availableParallelism(), node: process.version, platform: `${process.platform}-${process.arch}` },
    settings: { fib: o.fib, connections: o.connections, seconds: o.duration, healthRate: o.healthRate, workers: o.workers },
    rows,
  };
  console.log(table(rows));
  console.log(JSON.stringify(result));
  if (o.json) writeFileSync(o.json, `${JSON.stringify(result, null, 2)}\n`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
