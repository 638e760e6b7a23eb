/**
 * Vitest reporter that prints the portability matrix: one line per
 * conformance cell, `conformance <backend>@<runtime>: P passed, S skipped, F failed`.
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class ConformanceReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const cells = new Map<string, { passed: number; skipped: number; failed: number }>();
    for (const mod of modules) {
      for (const test of mod.children.allTests()) {
        let parent = test.parent;
        while (parent.type === 'suite' && !parent.name.startsWith('conformance ')) parent = parent.parent;
        if (parent.type !== 'suite') continue;
        const cell = parent.name.slice('conformance '.length);
        const counts = cells.get(cell) ?? { passed: 0, skipped: 0, failed: 0 };
        const state = test.result().state;
        if (state === 'passed') counts.passed++;
        else if (state === 'skipped') counts.skipped++;
        else counts.failed++;
        cells.set(cell, counts);
      }
    }
    if (cells.size === 0) return;
    const lines = [...cells.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([cell, c]) => `conformance ${cell}: ${c.passed} passed, ${c.skipped} skipped, ${c.failed} failed`);
    process.stdout.write(`\n${lines.join('\n')}\n`);
  }
}
