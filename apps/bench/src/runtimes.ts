/**
 * Runtimes other than Node: each is one step that starts the runtime on a
 * runner script and collects the JSON it prints.
 * @module
 */
import type { Step } from '@offload/bench';
import type { CliOptions } from './cli.js';

/** Runtimes the app knows. */
export const RUNTIMES = ['node', 'deno', 'bun', 'chromium'];

/** Steps of the other runtimes (none yet). */
export async function otherRuntimeSteps(
  o: CliOptions,
  notes: string[],
  _versions: Record<string, string>,
  _tick: () => void,
): Promise<Step[]> {
  for (const r of o.runtimes) if (r !== 'node') notes.push(`${r}: not wired yet`);
  return [];
}
