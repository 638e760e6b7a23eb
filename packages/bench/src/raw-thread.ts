/**
 * The raw worker_threads floor: one postMessage per task each way, no pool,
 * no protocol beyond `[id, name, arg]` -> `[id, result]`.
 * @module
 */
import { parentPort } from 'node:worker_threads';
import { answerRaw } from './raw-common.js';

const port = parentPort;
if (!port) throw new Error('raw-thread.js must run in a worker thread');
port.on('message', (msg: [number, string, unknown]) => answerRaw(msg, (m) => port.postMessage(m)));
port.postMessage([0, 'ready']);
