import { serverSuite } from './harness.ts';

serverSuite('bun');
