/**
 * The one conformance suite every Offload backend runs. A backend's test
 * builds a {@link Target} in a few lines; cases are skipped only by capability
 * flags, never by name.
 * @module
 */
import { cancellationCases } from './cases/cancellation.js';
import { combinatorCases } from './cases/combinators.js';
import { crashCases } from './cases/crashes.js';
import { errorCases } from './cases/errors.js';
import { futureCases } from './cases/futures.js';
import { lifecycleCases } from './cases/lifecycle.js';
import { loadingCases } from './cases/loading.js';
import { mapCases } from './cases/map.js';
import { protocolCases } from './cases/protocol.js';
import { robustnessCases } from './cases/robustness.js';
import { headOfLineCases, schedulingCases } from './cases/scheduling.js';
import { streamCases } from './cases/streams.js';
import { unreadableCases } from './cases/unreadable.js';
import { valueCases } from './cases/values.js';
import type { Case } from './harness.js';

export * from './harness.js';

/** Every case, in a stable order. */
export const cases: Case[] = [
  ...futureCases,
  ...valueCases,
  ...errorCases,
  ...schedulingCases,
  ...headOfLineCases,
  ...cancellationCases,
  ...crashCases,
  ...loadingCases,
  ...lifecycleCases,
  ...combinatorCases,
  ...mapCases,
  ...protocolCases,
  ...robustnessCases,
  ...unreadableCases,
  ...streamCases,
];
