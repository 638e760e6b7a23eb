/**
 * How to start the server on each runtime, from Node (used by the load script
 * and the end-to-end tests). Deno and Bun are started through
 * $DENO_BIN / $BUN_BIN when set, else the binaries installed by the `deno` and
 * `bun` npm packages (not their node_modules/.bin shims, which are Node
 * wrappers and would get the signals meant for the server), else `deno` /
 * `bun` on the PATH.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export type Runtime = 'node' | 'deno' | 'bun';
export const RUNTIMES: readonly Runtime[] = ['node', 'deno', 'bun'];

/** apps/server */
export const APP_DIR = fileURLToPath(new URL('..', import.meta.url));
const SRC = join(APP_DIR, 'src');
const require = createRequire(import.meta.url);

export type Found = { ok: true; command: string; args: string[]; version: string } | { ok: false; reason: string };

function fromPackage(pkg: string, relative: string): string | undefined {
  try {
    const file = join(dirname(require.resolve(`${pkg}/package.json`)), relative);
    return existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

function version(command: string): string | undefined {
  const r = spawnSync(command, ['--version'], { encoding: 'utf8', timeout: 20_000 });
  return r.status === 0 ? r.stdout.trim().split('\n')[0] : undefined;
}

function binary(name: 'deno' | 'bun', envVar: string, relative: string): { command: string; version: string } | { reason: string } {
  // An explicit $DENO_BIN / $BUN_BIN is the only candidate: a wrong one is reported, not papered over.
  const explicit = process.env[envVar];
  const candidates = explicit ? [explicit] : [fromPackage(name, relative), name].filter((c): c is string => !!c);
  for (const command of candidates) {
    const v = version(command);
    if (v) return { command, version: v };
  }
  return {
    reason: `no working ${name} binary (tried ${candidates.join(', ')}); install the "${name}" package (its postinstall must be allowed) or set ${envVar}`,
  };
}

/** The command that starts the server on `runtime` with the given server options. */
export function serverCommand(runtime: Runtime, serverArgs: string[] = []): Found {
  if (runtime === 'node') {
    // One process (no tsx CLI wrapper), so signals reach the server itself.
    const tsx = pathToFileURL(require.resolve('tsx')).href;
    return { ok: true, command: process.execPath, args: ['--import', tsx, join(SRC, 'node.ts'), ...serverArgs], version: process.version };
  }
  if (runtime === 'deno') {
    const b = binary('deno', 'DENO_BIN', 'deno');
    if ('reason' in b) return { ok: false, reason: b.reason };
    // --unstable-no-legacy-abort: request.signal aborts only when the client goes away,
    // not also after every successful response (harmless here, but Deno warns about it).
    const args = ['run', '--allow-net', '--allow-read', '--allow-env', '--unstable-no-legacy-abort', join(SRC, 'deno.ts'), ...serverArgs];
    return { ok: true, command: b.command, args, version: b.version };
  }
  const b = binary('bun', 'BUN_BIN', join('bin', 'bun.exe'));
  if ('reason' in b) return { ok: false, reason: b.reason };
  return { ok: true, command: b.command, args: [join(SRC, 'bun.ts'), ...serverArgs], version: b.version };
}
