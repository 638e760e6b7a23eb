/**
 * A throw-away npm registry: verdaccio on 127.0.0.1 on a free port, with its config,
 * users and storage in a folder of the caller's choosing. Offload's own package names
 * are served from local storage only (never proxied, so a same-named package on
 * npmjs.org cannot leak in); everything else is proxied to npmjs.org (tsx, esbuild).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { killGroup } from './exec.js';

export interface Registry {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  /** Bearer token of a user allowed to publish. */
  token: string;
  /** Process id (and process group id) of verdaccio. */
  pid: number | undefined;
  /** Stop verdaccio (its whole process group) and wait for it to exit. */
  stop(): Promise<void>;
}

const WATCHDOG = `
const child = require('node:child_process').spawn(process.execPath, process.argv.slice(1), { stdio: ['ignore', 'inherit', 'inherit'] });
const stop = () => { child.kill('SIGKILL'); process.exit(1); };
process.stdin.on('end', stop).on('error', stop).resume();
process.on('SIGTERM', () => { child.kill('SIGTERM'); });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function config(dir: string, port: number, localOnly: string[]): string {
  const local = localOnly.map((name) => `  '${name}':\n    access: $all\n    publish: $authenticated\n    unpublish: $authenticated\n`).join('');
  return `storage: ${join(dir, 'storage')}
auth:
  htpasswd:
    file: ${join(dir, 'htpasswd')}
    max_users: 10
uplinks:
  npmjs:
    url: https://registry.npmjs.org/
    timeout: 60s
    max_fails: 5
packages:
${local}  '**':
    access: $all
    publish: $authenticated
    proxy: npmjs
server:
  keepAliveTimeout: 60
listen: 127.0.0.1:${port}
max_body_size: 100mb
log: { type: stdout, format: pretty, level: warn }
`;
}

/** Start verdaccio; `localOnly` are package names or globs never proxied to npmjs.org. */
export async function startRegistry(dir: string, localOnly: string[]): Promise<Registry> {
  mkdirSync(join(dir, 'storage'), { recursive: true });
  const bin = createRequire(import.meta.url).resolve('verdaccio/bin/verdaccio');
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const configFile = join(dir, 'config.yaml');
    writeFileSync(configFile, config(dir, port, localOnly));
    // verdaccio runs under a small watchdog in its own process group: stop() kills the
    // group, and if this process dies without stopping it, the watchdog's stdin closes
    // and it takes verdaccio down with it.
    const child = spawn(process.execPath, ['-e', WATCHDOG, bin, '--config', configFile], {
      cwd: dir,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, NODE_ENV: 'production' },
    });
    let output = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (output += d));
    const url = `http://127.0.0.1:${port}/`;
    try {
      await waitUntilUp(url, child, () => output);
      const token = await addUser(url);
      return { url, token, pid: child.pid, stop: () => stop(child) };
    } catch (err) {
      lastError = err;
      await stop(child);
    }
  }
  throw lastError;
}

async function waitUntilUp(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`verdaccio exited with ${child.exitCode ?? child.signalCode}:\n${output()}`);
    }
    try {
      const res = await fetch(`${url}-/ping`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`verdaccio did not answer on ${url} within 30 s:\n${output()}`);
}

/** Create a user and return its token (the same request `npm adduser` makes). */
async function addUser(url: string): Promise<string> {
  const name = 'offload-release-test';
  const res = await fetch(`${url}-/user/org.couchdb.user:${name}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: 'offload-release-test', email: 'release-test@example.invalid' }),
  });
  const body = (await res.json()) as { token?: string; error?: string };
  if (!res.ok || !body.token) throw new Error(`cannot create a registry user: ${res.status} ${JSON.stringify(body)}`);
  return body.token;
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      killGroup(child.pid, 'SIGKILL');
      resolve();
    });
    killGroup(child.pid, 'SIGTERM');
  });
}
