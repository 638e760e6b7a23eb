import { parentPort } from 'node:worker_threads';

parentPort.on('message', ([id, x]) => parentPort.postMessage([id, x + 1]));
