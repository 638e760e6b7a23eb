import { fileURLToPath } from 'node:url';
import { describeOutputDelivery } from '../../node-worker/test/output-check.js';

describeOutputDelivery(
  'child-process: what a child process writes is delivered before it is stopped',
  fileURLToPath(new URL('./output-program.mjs', import.meta.url)),
);
