/** A task module the server does not have (HTTP 404) is reported with the status and the offloadWorkers() plugin to add. */
import { describe, expect, it } from 'vitest';
import { createExecutor, WorkerInitError } from '../src/index.js';

// Not `new URL(literal, import.meta.url)`: Vite would rewrite that as an asset reference.
const here = import.meta.url;

describe.skipIf(typeof document === 'undefined')('browser: a task module that cannot be fetched', () => {
  it('rejects with a WorkerInitError that gives the HTTP status and points at offloadWorkers()', async () => {
    const url = new URL('./fixtures/no-such-tasks.js', here);
    const ex = createExecutor(url, { maxWorkers: 1 });
    try {
      const error = await ex.submit('anything', []).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(WorkerInitError);
      const message = (error as Error).message;
      expect(message).toContain(`The task module ${url.href} could not be loaded: the server answered 404`);
      expect(message).toContain("with Vite, add the offloadWorkers() plugin (import { offloadWorkers } from '@offload/browser/vite'");
    } finally {
      await ex.shutdown();
    }
  });
});

describe.skipIf(typeof document === 'undefined')('browser: a worker factory that throws', () => {
  it('rejects at once with a WorkerInitError that says what it threw, even when that is not an Error, and starts no second worker', async () => {
    for (const thrown of ['blocked by the page', new DOMException('blocked by CSP', 'SecurityError')]) {
      let calls = 0;
      const ex = createExecutor(() => {
        calls++;
        throw thrown;
      });
      try {
        const error = await ex.submit('anything', []).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(WorkerInitError);
        expect((error as Error).message).toContain('blocked by');
        await new Promise((r) => setTimeout(r, 200));
        expect(calls).toBe(1);
      } finally {
        await ex.shutdown();
      }
    }
  });
});
