// Runs a small program in the current runtime (Deno or Bun) and reports whether it exits by itself.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export function exitsAfterShutdown(programUrl, ms = 10_000) {
  const program = fileURLToPath(programUrl);
  const args = globalThis.Deno ? ['run', '-A', program] : [program];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ exited: false, detail: `still running ${ms} ms after start; output: ${out}` });
    }, ms);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ exited: code === 0 && out.includes('shut down'), detail: `exit code ${code}; output: ${out}` });
    });
  });
}
