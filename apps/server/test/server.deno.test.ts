import { serverSuite } from './harness.ts';

serverSuite('deno');
