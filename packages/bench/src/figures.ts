/**
 * Guards on the figures of a run: no negative or non-finite figure reaches
 * results.json or the report as if it were a measurement. Runtime-neutral.
 * @module
 */
import type { Report, Result } from './results.js';

const valid = (v: number) => Number.isFinite(v) && v >= 0;

/** What is wrong with the figures of one row (empty when nothing is); a row with an `error` carries no figure. */
export function rowProblems(r: Result): string[] {
  if (r.error) return r.samples.length ? [`${r.backend} ${r.scenario}: samples beside an error`] : [];
  const out: string[] = [];
  for (const [k, v] of [['median', r.median], ['min', r.min], ['max', r.max], ...r.samples.map((s, i) => [`samples[${i}]`, s] as const)] as const) {
    if (!valid(v)) out.push(`${r.runtime} ${r.backend} ${r.scenario} ${r.workload}: ${k} is ${v}`);
  }
  if (r.samples.length === 0) out.push(`${r.runtime} ${r.backend} ${r.scenario}: no samples and no error`);
  if (r.speedup !== undefined && !valid(r.speedup)) out.push(`${r.runtime} ${r.backend} ${r.scenario}: speedup is ${r.speedup}`);
  if (r.noise !== undefined && !valid(r.noise)) out.push(`${r.runtime} ${r.backend} ${r.scenario}: noise is ${r.noise}`);
  return out;
}

/** Every negative or non-finite figure of a report: in its rows, and in the targets that were evaluated (not n/a). */
export function figureProblems(report: Pick<Report, 'results' | 'targets'>): string[] {
  const out = report.results.flatMap(rowProblems);
  for (const t of report.targets) {
    if (t.status === 'n/a') continue;
    if (!valid(t.value)) out.push(`target ${t.id}: value is ${t.value}`);
    if (!valid(t.threshold)) out.push(`target ${t.id}: threshold is ${t.threshold}`);
  }
  return out;
}

/**
 * The rows with their figures checked: a row with a negative or non-finite
 * figure becomes an error row that says so (no samples, no figure), an error
 * row keeps its error and loses the samples it took before failing (and any
 * speedup), and a speedup that is not a figure is dropped.
 */
export function guardFigures(results: Result[]): Result[] {
  return results.map((r) => {
    if (r.error) {
      if (r.samples.length === 0 && r.speedup === undefined) return r;
      const { speedup: _, ...rest } = r;
      return { ...rest, samples: [], median: Number.NaN, min: Number.NaN, max: Number.NaN };
    }
    const problems = rowProblems(r);
    if (problems.length === 0) return r;
    const fixed = { ...r };
    if (fixed.speedup !== undefined && !valid(fixed.speedup)) delete fixed.speedup;
    if (rowProblems(fixed).length === 0) return fixed;
    return {
      ...fixed,
      samples: [],
      median: Number.NaN,
      min: Number.NaN,
      max: Number.NaN,
      speedup: undefined,
      error: `no valid figure (${problems.join('; ')})`,
    };
  });
}
