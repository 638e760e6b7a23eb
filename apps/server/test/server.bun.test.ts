import { drainSuite } from './drain.ts';
import { inputSuite } from './input.ts';
import { serverSuite } from './suite.ts';

serverSuite('bun');
inputSuite('bun');
drainSuite('bun');
