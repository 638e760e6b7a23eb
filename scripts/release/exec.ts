/**
 * Child processes for the release round trip: each command runs in its own process
 * group so that a timeout (or the end of the test) can stop it with everything it
 * started, and a failure reports the command, its folder and the end of its output.
 */
import { spawn } from 'node:child_process';

export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Kill the command (and its process group) after this many ms. Default 120 s. */
  timeout?: number;
  /** Resolve with the result instead of rejecting when the exit code is not 0. */
  allowFailure?: boolean;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

const tail = (s: string, lines = 40) => s.trimEnd().split('\n').slice(-lines).join('\n');

/** Run a command to completion. Rejects with its output when it fails or times out. */
export function run(cmd: string, args: string[], opts: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const timeout = opts.timeout ?? 120_000;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGKILL');
    }, timeout);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${cmd}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // Whatever the command left running in its group (a worker, a daemon) goes too.
      killGroup(child.pid, 'SIGKILL');
      const result = { code, stdout, stderr, ms: Date.now() - started };
      if (code === 0 || (opts.allowFailure && !timedOut)) return resolve(result);
      const why = timedOut ? `timed out after ${timeout} ms` : `exited with ${code ?? signal}`;
      reject(new Error(`\`${[cmd, ...args].join(' ')}\` in ${opts.cwd} ${why}\n--- stdout ---\n${tail(stdout)}\n--- stderr ---\n${tail(stderr)}`));
    });
  });
}

/** Send a signal to a whole process group; ignore a group that is already gone. */
export function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: nothing left to stop.
  }
}
