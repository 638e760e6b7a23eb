/**
 * The `bullmq` runtime row: Offload over BullMQ on a redis-server of the
 * row's own, beside raw BullMQ, with 1, 2 and 4 worker processes, and
 * is_prime end to end beside node-worker. The measuring code lives with the
 * package (packages/bullmq/bench/row.ts, run from its TypeScript source by
 * this app's tsx, after a build), so the bench suite does not depend on it.
 * Without redis-server (or a build) the row is shown as skipped, with why.
 * @module
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { QUEUE_PARTS, queueSkippedRows, type Result, SIZES, type Step } from '@offload/bench';
import type { CliOptions } from './cli.js';
/** packages/bullmq/bench/row.ts (packages/bench is resolved through the workspace link). */
export const ROW_MODULE = resolve(dirname(createRequire(import.meta.url).resolve('@offload/bench/package.json')), '../bullmq/bench/row.ts');

/** What the app uses of the row module. */
interface RowModule {
  unavailable(): string | undefined;
  plannedRuns(cfg: RowConfig): number;
  runRow(cfg: RowConfig): Promise<Result[]>;
  versions(): string;
  ROW_SIZES: Record<CliOptions['mode'], { seconds: number }>;
}

interface RowConfig {
  mode: CliOptions['mode'];
  scenarios: string[];
  timeoutMs: number;
  tick?: () => void;
}

/** The row module, or why it cannot be loaded. */
async function load(file: string): Promise<RowModule | string> {
  if (!existsSync(file)) return `${file} not found`;
  try {
    return (await import(pathToFileURL(file).href)) as RowModule;
  } catch (error) {
    return `its bench module did not load (${error instanceof Error ? error.message : String(error)})`;
  }
}

/**
 * The step of the `bullmq` row, for the parts of it the options ask for
 * (`--scenarios` pingpong, burst, scaling). When it cannot run, a step that
 * returns the skipped rows (and a note), never a failure: the bench is not a test.
 */
export async function bullmqSteps(o: CliOptions, notes: string[], versions: Record<string, string>, tick: () => void, file = ROW_MODULE): Promise<Step[]> {
  const parts = o.scenarios.filter((s) => s in QUEUE_PARTS);
  if (parts.length === 0) {
    notes.push(`bullmq: none of its scenarios (${Object.keys(QUEUE_PARTS).join(', ')}) was asked for; skipped`);
    return [];
  }
  const row = await load(file);
  const why = typeof row === 'string' ? row : row.unavailable();
  if (typeof row === 'string' || why) {
    notes.push(`bullmq: skipped: ${why}`);
    return [{ label: 'bullmq (skipped)', kind: 'runtime:bullmq', runs: 0, seconds: 0, run: async () => queueSkippedRows(why as string, parts) }];
  }
  const cfg: RowConfig = { mode: o.mode, scenarios: parts, timeoutMs: SIZES[o.mode].timeoutMs, tick };
  return [
    {
      label: 'bullmq (Offload over BullMQ vs raw BullMQ, 1, 2, 4 worker processes)',
      kind: 'runtime:bullmq',
      runs: row.plannedRuns(cfg),
      seconds: row.ROW_SIZES[o.mode].seconds,
      async run() {
        versions.bullmq = row.versions();
        return row.runRow(cfg);
      },
    },
  ];
}
