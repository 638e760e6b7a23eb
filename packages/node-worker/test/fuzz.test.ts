import { fileURLToPath } from 'node:url';
import { registerFuzz } from './fuzz-suite.js';
import { world } from './fuzz-world.js';

registerFuzz(world, fileURLToPath(new URL('./fuzz-world.ts', import.meta.url)));
