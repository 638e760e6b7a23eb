/**
 * InlineExecutor given its task module as a path: resolved against the
 * current directory, as the backends resolve theirs (it was resolved against
 * `file:///`, so a relative path named a file at the root of the disk), and a
 * source that cannot be a module is refused when the executor is created.
 */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInlineExecutor, InvalidArgumentError } from '@offload/core';
import { describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./fixtures/add-tasks.mjs', import.meta.url));

describe('InlineExecutor: a task module given as a path', () => {
  it('a relative path is resolved against the current directory', async () => {
    const path = relative(process.cwd(), fixture);
    expect(path.startsWith('/')).toBe(false);
    const ex = createInlineExecutor(path);
    try {
      expect(await ex.submit('add', [2, 40])).toBe(42);
    } finally {
      await ex.shutdown();
    }
  });

  it('an absolute path and a file URL load the same module', async () => {
    for (const source of [fixture, new URL('./fixtures/add-tasks.mjs', import.meta.url), new URL('./fixtures/add-tasks.mjs', import.meta.url).href]) {
      const ex = createInlineExecutor(source);
      try {
        expect(await ex.submit('add', [1, 1])).toBe(2);
      } finally {
        await ex.shutdown();
      }
    }
  });

  it('an empty string or a value that is not a path, URL or task map is an InvalidArgumentError at creation', () => {
    for (const bad of ['', 5, undefined]) {
      let error: unknown;
      try {
        createInlineExecutor(bad as never);
      } catch (e) {
        error = e;
      }
      expect(error, String(bad)).toBeInstanceOf(InvalidArgumentError);
    }
  });
});
