// Runs one fuzz sequence (drawn from the seed) and shuts down: the process must then exit by itself.
// Usage: node --import tsx fuzz-exit.ts <module exporting `world`> <seed>
import fc from 'fast-check';
import { type FuzzWorld, runSequence, sequenceArb } from './fuzz-model.js';

const [worldModule, seed] = process.argv.slice(2) as [string, string];
const { world } = (await import(worldModule)) as { world: FuzzWorld };
const [seq] = fc.sample(sequenceArb, { seed: Number(seed), numRuns: 1 });
const violations = await runSequence(world, seq as Parameters<typeof runSequence>[1]);
process.stdout.write(`shut down ${JSON.stringify(violations)}\n`);
