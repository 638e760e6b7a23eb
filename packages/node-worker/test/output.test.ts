import { fileURLToPath } from 'node:url';
import { describeOutputDelivery } from './output-check.js';

describeOutputDelivery('node-worker: what a worker writes is delivered before it is stopped', fileURLToPath(new URL('./output-program.mjs', import.meta.url)));
