import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

describe('examples/flags (the seeds’ flags download, InlineExecutor vs worker threads)', () => {
  it('downloads the 20 flags from its local server on both executors and names the input that failed', async () => {
    const main = fileURLToPath(new URL('../examples/flags/main.mjs', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [main], { timeout: 60_000 });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe('InlineExecutor: ZZ failed: HTTP 404');
    expect(lines[1]).toMatch(/^InlineExecutor: 20 flags downloaded, 1 failed \(ZZ\) in \d+\.\d\ds$/);
    expect(lines[2]).toBe('node-worker x4: ZZ failed: HTTP 404');
    expect(lines[3]).toMatch(/^node-worker x4: 20 flags downloaded, 1 failed \(ZZ\) in \d+\.\d\ds$/);
  });
});
