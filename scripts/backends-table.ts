/**
 * Renders the README's backends table from the capability flags declared in
 * code, so the docs cannot drift from what the conformance suite skips.
 * `pnpm docs:backends` rewrites the README; scripts/readme.test.ts fails when
 * it is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { capabilities as browser } from '@offload/browser';
import { capabilities as bullmq } from '@offload/bullmq';
import { capabilities as childProcess } from '@offload/child-process';
import { type Capabilities, inlineCapabilities } from '@offload/core';
import { bunCapabilities, denoCapabilities } from '@offload/deno-bun';
import { capabilities as nodeWorker } from '@offload/node-worker';

const rows: { pkg: string; runtime: string; caps: Capabilities }[] = [
  { pkg: '`@offload/node-worker`', runtime: 'Node.js (worker_threads)', caps: nodeWorker },
  { pkg: '`@offload/child-process`', runtime: 'Node.js (child_process.fork)', caps: childProcess },
  { pkg: '`@offload/deno-bun`', runtime: 'Deno (Web Workers)', caps: denoCapabilities },
  { pkg: '`@offload/deno-bun`', runtime: 'Bun (Web Workers)', caps: bunCapabilities },
  { pkg: '`@offload/browser`', runtime: 'browsers (module Workers; tested in Chromium)', caps: browser },
  { pkg: '`@offload/bullmq`', runtime: 'Node.js machines sharing a BullMQ queue on Redis (worker_threads on each)', caps: bullmq },
  { pkg: '`InlineExecutor` in `@offload/core`', runtime: 'any (the current event loop)', caps: inlineCapabilities },
];

const yes = (b: boolean) => (b ? 'yes' : 'no');

/** The table, as Markdown. */
export function renderBackendsTable(): string {
  const head = [
    '| package | runtime | `transfer` | `parallel` | `killRunning` | `isolation` | `resourceLimits` | `localWorkers` | how a running task is stopped | start-up cost | tasks sent ahead to a busy worker |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const body = rows.map(
    ({ pkg, runtime, caps: c }) =>
      `| ${pkg} | ${runtime} | ${yes(c.transfer)} | ${yes(c.parallel)} | ${yes(c.killRunning)} | ${c.isolation} | ${yes(c.resourceLimits)} | ${yes(c.localWorkers)} | ${c.killMethod} | ${c.startup} | ${c.prefetch} |`,
  );
  return [...head, ...body].join('\n');
}

export const START = '<!-- backends-table:start (generated from the capability flags: pnpm docs:backends) -->';
export const END = '<!-- backends-table:end -->';
export const README = fileURLToPath(new URL('../README.md', import.meta.url));

/** README text with the table replaced by a fresh one. */
export function withFreshTable(readme: string): string {
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md has no ${START} ... ${END} block`);
  return `${readme.slice(0, a + START.length)}\n${renderBackendsTable()}\n${readme.slice(b)}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(README, withFreshTable(readFileSync(README, 'utf8')));
}
