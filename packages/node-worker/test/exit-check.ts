import { spawn } from 'node:child_process';

/** Run `node program` and report whether it exited on its own within `ms`. */
export function exitsAfterShutdown(program: string, ms = 10_000): Promise<{ exited: boolean; detail: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [program], { stdio: ['ignore', 'pipe', 'pipe'] });
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
