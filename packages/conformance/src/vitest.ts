/**
 * Registers the conformance cases as vitest tests under
 * `describe('conformance <backend>@<runtime>')`; the root reporter prints
 * one summary line per cell from these.
 * @module
 */
import { describe, it } from 'vitest';
import { runCase, supports, type Target } from './harness.js';
import { cases } from './index.js';

/** Register every case for `target`, skipping only by capability. */
export function registerConformance(target: Target): void {
  describe(`conformance ${target.name}`, () => {
    for (const c of cases) {
      it.skipIf(!supports(target, c))(c.name, { timeout: (c.timeout ?? 15_000) + 5000 }, () => runCase(target, c));
    }
  });
}
