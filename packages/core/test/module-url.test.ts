import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../src/errors.js';
import { fileHref, moduleHref, relativePathHint, typeScriptSource } from '../src/module-url.js';
import { moduleTarget } from '../src/node.js';

const unreachable = (reference: string): string => {
  throw new Error(`resolve(${reference}) must not be called`);
};

describe('moduleHref', () => {
  it('takes the href of a URL and parses strings that have a scheme', () => {
    expect(moduleHref(new URL('file:///srv/tasks.js'), unreachable)).toBe('file:///srv/tasks.js');
    expect(moduleHref('https://example.test/a/../tasks.js', unreachable)).toBe('https://example.test/tasks.js');
    expect(moduleHref('data:text/javascript,export{}', unreachable)).toBe('data:text/javascript,export{}');
    expect(moduleHref('blob:https://example.test/0d1e', unreachable)).toBe('blob:https://example.test/0d1e');
  });

  it('hands paths, relative references and Windows drive paths to the runtime resolver', () => {
    const resolve = (reference: string) => `resolved:${reference}`;
    for (const reference of ['./tasks.js', 'tasks.js', '/srv/tasks.js', 'C:\\app\\tasks.js', 'c:/app/tasks.js']) {
      expect(moduleHref(reference, resolve)).toBe(`resolved:${reference}`);
    }
  });

  it('throws InvalidArgumentError for what is not a module location', () => {
    for (const bad of ['', 42, null, undefined, {}]) {
      expect(() => moduleHref(bad as string, unreachable)).toThrow(InvalidArgumentError);
      expect(() => moduleHref(bad as string, unreachable)).toThrow('createExecutor() needs the task module as a URL');
    }
    expect(() => moduleHref('http://[bad', unreachable)).toThrow(InvalidArgumentError);
    const noBase = () =>
      moduleHref('./tasks.js', (reference) => {
        throw new TypeError(`Invalid URL: ${reference}`);
      });
    expect(noBase).toThrow(InvalidArgumentError);
    expect(noBase).toThrow('The task module "./tasks.js" cannot be made an absolute URL (Invalid URL: ./tasks.js)');
  });
});

describe('fileHref', () => {
  it('gives the file URL Node gives for POSIX paths, special characters included', () => {
    for (const path of ['/srv/app/tasks.js', '/tmp/a b/100%/t#1?.js', '/srv/ünï/tasks.ts']) {
      expect(fileHref(path, '/elsewhere')).toBe(pathToFileURL(path).href);
    }
  });

  it('resolves relative paths against the working directory', () => {
    expect(fileHref('tasks.js', '/srv/app')).toBe('file:///srv/app/tasks.js');
    expect(fileHref('./lib/../tasks.js', '/srv/app/')).toBe('file:///srv/app/tasks.js');
    expect(fileHref('../tasks#2.js', '/srv/my app')).toBe(pathToFileURL('/srv/tasks#2.js').href);
  });

  it('gives the file URL Node gives for Windows paths: drives, backslashes and UNC shares', () => {
    const windows = (path: string) => pathToFileURL(path, { windows: true }).href;
    expect(fileHref('C:\\app dir\\tasks#1.js', 'D:\\')).toBe(windows('C:\\app dir\\tasks#1.js'));
    expect(fileHref('tasks.js', 'C:\\app')).toBe(windows('C:\\app\\tasks.js'));
    expect(fileHref('..\\lib\\tasks.js', 'C:\\app\\src')).toBe(windows('C:\\app\\lib\\tasks.js'));
    expect(fileHref('\\\\server\\share\\tasks.js', 'C:\\')).toBe(windows('\\\\server\\share\\tasks.js'));
    expect(fileHref('tasks.js', '\\\\server\\share\\app')).toBe(windows('\\\\server\\share\\app\\tasks.js'));
  });
});

describe('moduleTarget (Node)', () => {
  it('turns paths into file URLs with pathToFileURL and keeps URLs', () => {
    expect(moduleTarget('/srv/a b/tasks.js')).toEqual({ module: pathToFileURL('/srv/a b/tasks.js').href, tsx: undefined, loadHint: undefined });
    expect(moduleTarget('tasks.js').module).toBe(pathToFileURL('tasks.js').href);
    expect(moduleTarget(new URL('file:///srv/tasks.js')).module).toBe('file:///srv/tasks.js');
    expect(moduleTarget('file:///srv/tasks.mjs').module).toBe('file:///srv/tasks.mjs');
  });

  it('throws the shared InvalidArgumentError for what is not a module location', () => {
    expect(() => moduleTarget('')).toThrow(InvalidArgumentError);
    expect(() => moduleTarget('')).toThrow('createExecutor() needs the task module as a URL');
  });
});

describe('typeScriptSource: a .js module that does not exist is loaded from its .ts source, as TypeScript resolves imports', () => {
  const files =
    (...present: string[]) =>
    (url: URL) =>
      present.includes(url.href);

  it('maps .js to .ts, .mjs to .mts and .cjs to .cts when only the TypeScript file exists', () => {
    expect(typeScriptSource('file:///app/tasks.js', files('file:///app/tasks.ts'))).toBe('file:///app/tasks.ts');
    expect(typeScriptSource('file:///app/tasks.mjs', files('file:///app/tasks.mts'))).toBe('file:///app/tasks.mts');
    expect(typeScriptSource('file:///app/tasks.cjs', files('file:///app/tasks.cts'))).toBe('file:///app/tasks.cts');
    expect(typeScriptSource('file:///a%20b/t%231.js?v=1', files('file:///a%20b/t%231.ts?v=1'))).toBe('file:///a%20b/t%231.ts?v=1');
  });

  it('keeps the URL when the .js file exists, when neither exists, and for what is not a file: URL or not JavaScript', () => {
    const both = files('file:///app/tasks.js', 'file:///app/tasks.ts');
    expect(typeScriptSource('file:///app/tasks.js', both)).toBe('file:///app/tasks.js');
    expect(typeScriptSource('file:///app/tasks.js', files())).toBe('file:///app/tasks.js');
    expect(typeScriptSource('https://example.test/tasks.js', () => true)).toBe('https://example.test/tasks.js');
    expect(typeScriptSource('file:///app/tasks.ts', files())).toBe('file:///app/tasks.ts');
    const broken = () => {
      throw new Error('no permission');
    };
    expect(typeScriptSource('file:///app/tasks.js', broken)).toBe('file:///app/tasks.js');
  });

  it('is applied by moduleHref when the runtime says which files exist', () => {
    const exists = files('file:///app/tasks.ts');
    expect(moduleHref(new URL('file:///app/tasks.js'), unreachable, exists)).toBe('file:///app/tasks.ts');
    expect(moduleHref('tasks.js', (path) => `file:///app/${path}`, exists)).toBe('file:///app/tasks.ts');
    expect(moduleHref(new URL('file:///app/tasks.js'), unreachable)).toBe('file:///app/tasks.js');
  });

  it('is applied by moduleTarget on Node, which then loads the .ts module through tsx', () => {
    const js = new URL('../../conformance/src/fixtures/tasks.js', import.meta.url);
    const { module, tsx } = moduleTarget(js);
    expect(module).toBe(new URL('../../conformance/src/fixtures/tasks.ts', import.meta.url).href);
    expect(tsx).toMatch(/^file:.*tsx/);
  });
});

describe('relativePathHint: how a relative path was resolved, for the message of a module that cannot load', () => {
  it('names the path, the current directory, the resolved path and the URL form to use', () => {
    const hint = relativePathHint('lib/tasks.js', '/srv/app/lib/tasks.js', '/srv/app');
    expect(hint).toBe(
      `the path "lib/tasks.js" was resolved against the current directory /srv/app, giving /srv/app/lib/tasks.js; to resolve it against your own module instead, pass new URL('./lib/tasks.js', import.meta.url)`,
    );
    expect(relativePathHint('./tasks.js', '/srv/app/tasks.js', '/srv/app')).toContain("new URL('./tasks.js', import.meta.url)");
  });

  it('says nothing for URLs and absolute paths', () => {
    for (const absolute of [
      new URL('file:///srv/tasks.js'),
      'file:///srv/tasks.js',
      '/srv/tasks.js',
      'C:\\app\\tasks.js',
      'c:/app/tasks.js',
      '\\\\server\\share\\tasks.js',
    ]) {
      expect(relativePathHint(absolute, 'x', '/srv')).toBeUndefined();
    }
  });
});
