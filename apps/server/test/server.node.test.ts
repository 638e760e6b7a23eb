import { serverSuite } from './harness.ts';

serverSuite('node');
