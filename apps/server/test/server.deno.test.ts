import { drainSuite } from './drain.ts';
import { inputSuite } from './input.ts';
import { serverSuite } from './suite.ts';

serverSuite('deno');
inputSuite('deno');
drainSuite('deno');
