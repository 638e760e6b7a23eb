/**
 * The workspace as the release sees it: which packages are published (the changesets
 * `fixed` group is the one list), where they live, and a disposable copy of the repo
 * to version and publish from, so the real working tree is never touched.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, symlinkSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface WorkspacePackage {
  name: string;
  /** Folder relative to the repo root, e.g. `packages/node-worker`. */
  dir: string;
  version: string;
  private: boolean;
}

/** Every package of the pnpm workspace (packages/* and apps/*). */
export function workspacePackages(root = repoRoot): WorkspacePackage[] {
  const out: WorkspacePackage[] = [];
  for (const group of ['packages', 'apps']) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    for (const entry of readdirSync(base).sort()) {
      const file = join(base, entry, 'package.json');
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, 'utf8'));
      out.push({ name: pkg.name, dir: `${group}/${entry}`, version: pkg.version, private: pkg.private === true });
    }
  }
  return out;
}

/** The published packages: the changesets fixed group, in its order, with their folders. */
export function publishedPackages(root = repoRoot): WorkspacePackage[] {
  const config = JSON.parse(readFileSync(join(root, '.changeset/config.json'), 'utf8')) as { fixed: string[][] };
  const all = new Map(workspacePackages(root).map((p) => [p.name, p]));
  const names = config.fixed.flat();
  return names.map((name) => {
    const pkg = all.get(name);
    if (!pkg) throw new Error(`.changeset/config.json names ${name}, which is not a workspace package`);
    return pkg;
  });
}

/**
 * Copy the repo into `dest` for a release rehearsal: the files git knows (tracked, and
 * untracked but not ignored), plus each package's build output (`dist/` and tsc's
 * build info), all with their timestamps, so an up-to-date `tsc -b` has nothing to
 * redo and a stale one rebuilds. `node_modules` are not
 * copied but re-linked: third-party packages point at the original install, workspace
 * packages at their copies, so the copy builds and publishes its own files.
 */
export function copyWorkspace(dest: string, root = repoRoot): void {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    const from = join(root, file);
    if (!existsSync(from)) continue; // deleted in the working tree
    mkdirSync(dirname(join(dest, file)), { recursive: true });
    cpSync(from, join(dest, file), { preserveTimestamps: true });
  }
  const dirs = ['.', ...workspacePackages(root).map((p) => p.dir)];
  for (const dir of dirs) {
    const dist = join(root, dir, 'dist');
    if (dir !== '.' && existsSync(dist)) {
      cpSync(dist, join(dest, dir, 'dist'), { recursive: true, preserveTimestamps: true });
      for (const f of readdirSync(join(root, dir))) {
        if (f.endsWith('.tsbuildinfo')) cpSync(join(root, dir, f), join(dest, dir, f), { preserveTimestamps: true });
      }
    }
    const modules = join(root, dir, 'node_modules');
    if (existsSync(modules)) linkModules(modules, join(dest, dir, 'node_modules'), root, dest);
  }
}

/** Re-create one node_modules folder of `root` under `dest` out of symlinks. */
function linkModules(from: string, to: string, root: string, dest: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from)) {
    const src = join(from, entry);
    const stat = lstatSync(src);
    if (entry === '.bin' && stat.isDirectory()) {
      // pnpm's shims find their package relative to themselves: copy them so they
      // resolve through the links below.
      cpSync(src, join(to, entry), { recursive: true });
    } else if (entry.startsWith('@') && stat.isDirectory()) {
      linkModules(src, join(to, entry), root, dest);
    } else if (stat.isSymbolicLink() || stat.isDirectory()) {
      const real = realpathSync(src);
      const rel = relative(root, real);
      const insideWorkspace = !rel.startsWith('..') && !rel.split(sep).includes('node_modules');
      symlinkSync(insideWorkspace ? join(dest, rel) : real, join(to, entry));
    } else if (stat.isFile()) {
      copyFileSync(src, join(to, entry));
    }
  }
}
